"""Cancelling sessions: by the cancel route, and when what they need is gone (SPEC §6).

A cancelled session is kept (readable, and in calendars as cancelled with a higher
SEQUENCE); its time is freed. Besides the route, sessions still to come are cancelled
when nobody will attend them and they would go on holding people's time across every
organization (the overlap rule is per person), reminding them, and showing as confirmed
in their calendars:

- their mentorship ended (`upcoming_of_mentorship`);
- their coach or coachee left or was removed from the organization (`upcoming_of_member`);
- their organization was deleted (`upcoming_of_organization`).

Each runs in the unit of work of the change that causes it, so both commit together, and
each cancelled session is audited and announced like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from tortoise.expressions import Q

from app.coaching.participation import session_audience
from app.coaching.sessions import overlap
from app.coaching.sessions.schemas import session_public
from app.core.live_events import publish
from app.core.scoping import scoped
from app.core.unit_of_work import UnitOfWork
from models import CoachingSession, Mentorship
from models.coaching import CoachingSessionStatus

# the reasons kept on sessions cancelled for want of what they need
MENTORSHIP_ENDED = "The mentorship ended"
MEMBER_LEFT = "A participant left the organization"
ORGANIZATION_DELETED = "The organization was deleted"


def announce(work: UnitOfWork, event: str, session: CoachingSession, *, changed_fields: list[str]) -> None:
    """Audit the change to `session` and publish its event, in `work`."""
    work.audit(
        event,
        target=("coaching_session", session.id),
        organization_id=session.organization_id,
        changed_fields=changed_fields,
    )
    publish(work, event, session.organization_id, session_public(session), audience=session_audience(session))


async def cancel(
    work: UnitOfWork,
    sessions: Sequence[CoachingSession],
    *,
    now: datetime,
    reason: str | None,
    by: UUID | None,
) -> None:
    """Cancel these sessions (locked by the caller) in `work`."""
    for session in sessions:
        session.status = CoachingSessionStatus.CANCELLED.value
        session.cancelled_at = now
        session.sequence += 1
        changed = ["status", "cancelled_at"]
        if reason is not None:
            session.reason, session.reason_by_id = reason, by
            changed += ["reason", "reason_by_id"]
        await session.save(update_fields=[*changed, "sequence", "updated_at"])
        announce(work, "session.cancelled", session, changed_fields=changed)
    await overlap.release(session.id for session in sessions)


async def upcoming_of_mentorship(
    work: UnitOfWork, mentorship: Mentorship, *, now: datetime, by: UUID | None
) -> None:
    await _cancel_upcoming(
        work, mentorship.organization_id, Q(mentorship_id=mentorship.id), MENTORSHIP_ENDED, now=now, by=by
    )


async def upcoming_of_member(
    work: UnitOfWork, organization_id: UUID, user_id: UUID, *, now: datetime, by: UUID | None
) -> None:
    await _cancel_upcoming(
        work, organization_id, Q(coach_id=user_id) | Q(teacher_id=user_id), MEMBER_LEFT, now=now, by=by
    )


async def upcoming_of_organization(
    work: UnitOfWork, organization_id: UUID, *, now: datetime, by: UUID | None
) -> None:
    await _cancel_upcoming(work, organization_id, Q(), ORGANIZATION_DELETED, now=now, by=by)


async def _cancel_upcoming(
    work: UnitOfWork, organization_id: UUID, which: Q, reason: str, *, now: datetime, by: UUID | None
) -> None:
    """The organization's `scheduled` sessions matching `which` that have not started.
    Locked in (starts_at, id) order, the order every multi-session cancel takes them in."""
    upcoming = await (
        scoped(CoachingSession, organization_id)
        .filter(which, status=CoachingSessionStatus.SCHEDULED.value, starts_at__gt=now)
        .order_by("starts_at", "id")
        .select_for_update()
    )
    await cancel(work, upcoming, now=now, reason=reason, by=by)
