"""The status machine of a mentorship (SPEC §6): pending → active → paused ⇄ active →
ended, and pending → ended (a proposal declined by the teacher or withdrawn by the coach).
`ended` is final: a new mentorship of the same pair starts afresh."""

from __future__ import annotations

from app.core import errors
from models import MentorshipStatus

NEXT_STATUSES: dict[MentorshipStatus, tuple[MentorshipStatus, ...]] = {
    MentorshipStatus.PENDING: (MentorshipStatus.ACTIVE, MentorshipStatus.ENDED),
    MentorshipStatus.ACTIVE: (MentorshipStatus.PAUSED, MentorshipStatus.ENDED),
    MentorshipStatus.PAUSED: (MentorshipStatus.ACTIVE, MentorshipStatus.ENDED),
    MentorshipStatus.ENDED: (),
}


def check_transition(current: MentorshipStatus, new: MentorshipStatus) -> None:
    """422 naming the statuses allowed after `current` when `new` is not one of them."""
    allowed = NEXT_STATUSES[current]
    if new in allowed:
        return
    if not allowed:
        raise errors.BusinessRuleViolated(
            f"A mentorship that is {current.value} cannot change: {current.value} is final",
            extra={"allowed_statuses": []},
        )
    names = ", ".join(status.value for status in allowed)
    raise errors.BusinessRuleViolated(
        f"A {current.value} mentorship cannot become {new.value}; allowed next: {names}",
        extra={"allowed_statuses": [status.value for status in allowed]},
    )
