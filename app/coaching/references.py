"""What goals and action items ask of the mentorship (and other objects) a body names.

An id in a body that names nothing the actor may see (missing, another organization's,
or hidden from them) is a 422 naming the field, the same in every case: a body cannot be
used to learn what exists elsewhere.
"""

from __future__ import annotations

from uuid import UUID

from app.coaching.participation import may_see_mentorship
from app.core import errors
from app.core.policy import Actor
from app.core.scoping import scoped
from models import Mentorship, MentorshipStatus

# mentorships whose goals and action items may still be written
WRITABLE = (MentorshipStatus.ACTIVE, MentorshipStatus.PAUSED)


def unknown_reference(field: str, message: str) -> errors.BusinessRuleViolated:
    return errors.BusinessRuleViolated(f"{field}: {message}", errors=[{"field": field, "message": message}])


async def mentorship_named(actor: Actor, organization_id: UUID, mentorship_id: UUID) -> Mentorship:
    """The mentorship a body names, if the actor may see it; else 422 naming `mentorship_id`.
    Locked for the write that follows (`locked_mentorship`)."""
    mentorship = await locked_mentorship(organization_id, mentorship_id)
    if mentorship is None or not may_see_mentorship(actor, mentorship):
        raise unknown_reference("mentorship_id", "no such mentorship")
    return mentorship


async def locked_mentorship(organization_id: UUID, mentorship_id: UUID) -> Mentorship | None:
    """The mentorship, read under a row lock until the transaction ends, before a goal or an
    action item of it is written, or its sessions are booked, moved or cancelled. A change
    of status holds the same row FOR UPDATE, so a write checked against `active` cannot
    land after a concurrent end has committed (it waits, then reads `ended`); writers of
    one mentorship queue behind each other. Take it before any lock on the goal, action
    item or session itself: one order, no deadlock."""
    return (
        await scoped(Mentorship, organization_id)
        .filter(id=mentorship_id)
        .select_for_update(no_key=True)
        .first()
    )


def require_writable(mentorship: Mentorship, *, what: str) -> None:
    """422 unless the mentorship is active or paused: a pending one has not started, and an
    ended one's goals and action items are kept as they were."""
    if mentorship.status not in WRITABLE:
        raise errors.BusinessRuleViolated(
            f"The mentorship is {mentorship.status}: {what} only while it is active or paused"
        )
