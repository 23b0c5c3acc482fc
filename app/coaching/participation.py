"""Who takes part in what, for every coaching decision about reading.

The participants of a mentorship are its coach and its teacher while it is open; once it
has ended nobody is, so its `participants` content (notes, goals) is left to its authors
and, when tagged `organization`, to Managers (SPEC §6: ending a mentorship ends the
participants' access). A coaching session's participants are its coach and teacher for
good: it is on their calendars. Mentorships, sessions and action items are read as
`organization` content: by their participants and by members at Manager level or above.
"""

from __future__ import annotations

from uuid import UUID

from app.core import errors
from app.core.live_events import Audience
from app.core.policy import Actor, may_read
from app.core.scoping import get_scoped_or_404
from models import CoachingSession, Mentorship, MentorshipStatus
from models.coaching import Visibility


def mentorship_participants(mentorship: Mentorship) -> frozenset[UUID]:
    if mentorship.status == MentorshipStatus.ENDED:
        return frozenset()
    return frozenset({mentorship.coach_id, mentorship.teacher_id})


def session_participants(session: CoachingSession) -> frozenset[UUID]:
    return frozenset({session.coach_id, session.teacher_id})


def may_see_mentorship(actor: Actor, mentorship: Mentorship) -> bool:
    """Its coach and teacher (even once ended: it is their history), and Managers and above."""
    return may_read(
        actor,
        visibility=Visibility.ORGANIZATION,
        author_id=None,
        participant_ids=(mentorship.coach_id, mentorship.teacher_id),
    )


def may_see_session(actor: Actor, session: CoachingSession) -> bool:
    return may_read(
        actor,
        visibility=Visibility.ORGANIZATION,
        author_id=None,
        participant_ids=session_participants(session),
    )


def mentorship_audience(mentorship: Mentorship) -> Audience:
    """Who hears of a change to the mentorship itself, or to its sessions and action items."""
    return Audience.coaching(
        Visibility.ORGANIZATION, participant_ids=(mentorship.coach_id, mentorship.teacher_id)
    )


def session_audience(session: CoachingSession) -> Audience:
    return Audience.coaching(Visibility.ORGANIZATION, participant_ids=session_participants(session))


def content_audience(mentorship: Mentorship, visibility: Visibility, *, author_id: UUID | None) -> Audience:
    """Notes and goals: their visibility over the mentorship's current participants."""
    return Audience.coaching(
        visibility, participant_ids=mentorship_participants(mentorship), author_id=author_id
    )


async def visible_mentorship(
    actor: Actor, organization_id: UUID, mentorship_id: UUID | str, *, for_update: bool = False
) -> Mentorship:
    """The mentorship if the actor may see it, else the same 404 as a missing one."""
    mentorship = await get_scoped_or_404(Mentorship, organization_id, mentorship_id, for_update=for_update)
    if not may_see_mentorship(actor, mentorship):
        raise errors.NotFound("No such mentorship")
    return mentorship


async def visible_session(
    actor: Actor, organization_id: UUID, session_id: UUID | str, *, for_update: bool = False
) -> CoachingSession:
    session = await get_scoped_or_404(CoachingSession, organization_id, session_id, for_update=for_update)
    if not may_see_session(actor, session):
        raise errors.NotFound("No such coaching session")
    return session
