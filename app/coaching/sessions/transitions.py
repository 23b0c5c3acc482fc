"""The status machine of a coaching session (SPEC §6):

    scheduled → in_progress → completed
    scheduled → cancelled                (POST /sessions/{id}/cancel)
    scheduled | in_progress → no_show

An action from any other status is a 422 naming the statuses it is allowed from. Only a
scheduled session may be rescheduled or edited.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core import errors
from models.coaching import CoachingSessionStatus as Status


@dataclass(frozen=True, slots=True)
class Transition:
    action: str  # as the route and the audit name it
    event: str  # the live event and audit action
    allowed_from: frozenset[Status]
    to: Status
    # the session's column stamped with the time of the change
    stamp: str | None


START = Transition(
    "start", "session.started", frozenset({Status.SCHEDULED}), Status.IN_PROGRESS, "started_at"
)
COMPLETE = Transition(
    "complete", "session.completed", frozenset({Status.IN_PROGRESS}), Status.COMPLETED, "completed_at"
)
NO_SHOW = Transition(
    "no-show", "session.no_show", frozenset({Status.SCHEDULED, Status.IN_PROGRESS}), Status.NO_SHOW, None
)
CANCEL = Transition(
    "cancel", "session.cancelled", frozenset({Status.SCHEDULED}), Status.CANCELLED, "cancelled_at"
)
# rescheduling and editing
CHANGE_FROM = frozenset({Status.SCHEDULED})


def check(transition: Transition, status: str) -> None:
    if Status(status) not in transition.allowed_from:
        raise errors.BusinessRuleViolated(
            f"Cannot {transition.action} a session that is {status}; allowed from: "
            + ", ".join(sorted(state.value for state in transition.allowed_from))
        )


def check_changeable(status: str) -> None:
    if Status(status) not in CHANGE_FROM:
        raise errors.BusinessRuleViolated(f"Only a scheduled session can be changed; this one is {status}")
