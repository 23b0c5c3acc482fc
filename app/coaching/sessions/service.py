"""Coaching sessions (SPEC §6): schedule one or a series, read, list, reschedule and edit,
cancel, and run (start, complete, no-show). Rules: docs/coaching.md, "Coaching sessions".

Every change is audited and announced (app.core.live_events) to the session's audience
(its participants, and Managers and above), with the session's public shape as data.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from app.coaching.participation import visible_mentorship, visible_session
from app.coaching.references import locked_mentorship
from app.coaching.sessions import cancelling, overlap, scheduling, transitions
from app.coaching.sessions import changes as change_rules
from app.coaching.sessions.booking import booking
from app.coaching.sessions.listing import SessionLists
from app.coaching.sessions.scheduling import Slot
from app.coaching.sessions.schemas import (
    CoachingSessionPublic,
    SessionCancel,
    SessionCreate,
    SessionQuery,
    SessionUpdate,
    session_public,
)
from app.core import errors, policy
from app.core.membership import active_member_ids
from app.core.pagination import Page, Paginator
from app.core.policy import Actor
from app.core.scoping import scoped
from app.core.settings import CoachingSettings
from app.core.unit_of_work import UnitsOfWork
from models import CoachingSession, CoachingSessionSeries, Mentorship, MentorshipStatus
from models.coaching import CoachingSessionStatus, SeriesFrequency


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SessionService:
    """Built at start-up (app.capabilities); `clock` is for tests of time windows."""

    def __init__(
        self,
        *,
        coaching: CoachingSettings,
        units: UnitsOfWork,
        paginator: Paginator,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.settings = coaching
        self.units = units
        self.lists = SessionLists(paginator)
        self.clock = clock

    # -- reading ---------------------------------------------------------------------

    async def get(self, actor: Actor, organization_id: UUID, session_id: UUID) -> CoachingSessionPublic:
        return session_public(await visible_session(actor, organization_id, session_id))

    async def list(self, actor: Actor, organization_id: UUID, query: SessionQuery) -> Page[dict[str, Any]]:
        return await self.lists.page(actor, organization_id, query)

    # -- scheduling ------------------------------------------------------------------

    async def schedule(
        self, actor: Actor, organization_id: UUID, body: SessionCreate
    ) -> CoachingSessionPublic:
        """One session, or every occurrence of a series (all or none); returns the first."""
        now = self.clock()
        # the first occurrence within bounds before a series is computed from it: its later
        # dates then stay far from the end of the calendar (year 9999, an OverflowError)
        scheduling.check_times(self.settings, [Slot(body.starts_at, body.ends_at)], now=now)
        slots = self._slots_of(body)
        scheduling.check_times(self.settings, slots, now=now)
        mentorship = await visible_mentorship(actor, organization_id, body.mentorship_id)
        if not policy.may_schedule_session(
            actor, coach_id=mentorship.coach_id, teacher_id=mentorship.teacher_id
        ):
            raise errors.Forbidden(
                "Only the mentorship's coach or teacher, or a Manager, schedules its sessions"
            )
        if mentorship.status != MentorshipStatus.ACTIVE:
            raise errors.BusinessRuleViolated(
                f"Sessions are scheduled in an active mentorship; this one is {mentorship.status}"
            )
        async with booking(
            self.units,
            actor,
            organization_id,
            coach_id=mentorship.coach_id,
            teacher_id=mentorship.teacher_id,
            slots=slots,
        ) as work:
            # read again under its lock: an end committed since the check above must win
            # (the end cancels the mentorship's sessions to come; one booked now would stay)
            current = await locked_mentorship(organization_id, mentorship.id)
            if current is None or current.status != MentorshipStatus.ACTIVE:
                raise errors.BusinessRuleViolated(
                    "Sessions are scheduled in an active mentorship; this one is not"
                )
            await _require_members(organization_id, current)
            series_id = None
            if body.recurrence is not None:
                series = await CoachingSessionSeries.create(
                    organization_id=organization_id,
                    mentorship_id=mentorship.id,
                    frequency=body.recurrence.frequency,
                    occurrences=len(slots),
                    timezone=body.timezone,
                    created_by_id=actor.user_id,
                )
                series_id = series.id
            sessions = [
                CoachingSession(
                    organization_id=organization_id,
                    mentorship_id=mentorship.id,
                    coach_id=mentorship.coach_id,
                    teacher_id=mentorship.teacher_id,
                    title=body.title,
                    starts_at=slot.starts_at,
                    ends_at=slot.ends_at,
                    timezone=body.timezone,
                    location=body.location,
                    video_provider=body.video_provider,
                    video_meeting_id=body.video_meeting_id,
                    join_url=body.join_url,
                    organizer_id=actor.user_id,
                    series_id=series_id,
                    series_index=index if series_id is not None else None,
                )
                for index, slot in enumerate(slots)
            ]
            await CoachingSession.bulk_create(sessions)
            await overlap.hold(sessions)
            for session in sessions:
                cancelling.announce(
                    work, "session.scheduled", session, changed_fields=["starts_at", "ends_at"]
                )
        return session_public(sessions[0])

    def _slots_of(self, body: SessionCreate) -> list[Slot]:
        first = Slot(body.starts_at, body.ends_at)
        if body.recurrence is None:
            return [first]
        limit = self.settings.max_series_occurrences
        if body.recurrence.count > limit:
            raise errors.BusinessRuleViolated(f"A series has at most {limit} occurrences")
        return scheduling.occurrences(
            first,
            timezone=body.timezone,
            frequency=SeriesFrequency(body.recurrence.frequency),
            count=body.recurrence.count,
        )

    # -- changing --------------------------------------------------------------------

    async def update(
        self, actor: Actor, organization_id: UUID, session_id: UUID, body: SessionUpdate
    ) -> CoachingSessionPublic:
        """Reschedule (slots moved, same overlap rules) and/or edit; `sequence` rises."""
        session = await visible_session(actor, organization_id, session_id)
        self._may_change(actor, session)
        changes = body.changes()
        if not changes and body.reason is None:
            return session_public(session)
        transitions.check_changeable(session.status)
        moved = change_rules.moved(session, changes)
        if moved is not None:
            await self._check_bookable(organization_id, session)
            now = self.clock()
            change_rules.check_notice(
                self.settings, actor, session, body.reason, now=now, also=moved.starts_at
            )
            scheduling.check_times(self.settings, [moved], now=now)
            unit = booking(
                self.units,
                actor,
                organization_id,
                coach_id=session.coach_id,
                teacher_id=session.teacher_id,
                slots=[moved],
                moving=[session.id],
            )
        else:
            unit = self.units()
        async with unit as work:
            seen = session
            # the mentorship, then the session, locked (every writer of a mentorship's sessions
            # takes them in this order): an end, a cancel or another move waits or has won
            await locked_mentorship(organization_id, seen.mentorship_id)
            session = await visible_session(actor, organization_id, session_id, for_update=True)
            transitions.check_changeable(session.status)
            if moved is not None:
                await self._check_bookable(organization_id, session)
                change_rules.check_notice(
                    self.settings, actor, session, body.reason, now=self.clock(), also=moved.starts_at
                )
            if change_rules.moved(session, changes) != moved:
                # moved meanwhile: the times checked and booked above are not this session's
                raise errors.Conflict("The session changed while this change was made; read it and try again")
            changed = change_rules.apply(session, changes, moved)
            if body.reason is not None:
                session.reason, session.reason_by_id = body.reason, actor.user_id
                changed += ["reason", "reason_by_id"]
            if not changed:
                return session_public(session)  # the values it already had: nothing to tell
            session.sequence += 1
            await session.save(update_fields=[*changed, "sequence", "updated_at"])
            if moved is not None:
                await overlap.release([session.id])
                await overlap.hold([session])
            event = "session.rescheduled" if moved is not None else "session.updated"
            cancelling.announce(work, event, session, changed_fields=changed)
        return session_public(session)

    async def cancel(
        self, actor: Actor, organization_id: UUID, session_id: UUID, body: SessionCancel
    ) -> CoachingSessionPublic:
        """Cancelled sessions stay readable; their time is freed (slots deleted)."""
        now = self.clock()
        async with self.units() as work:
            seen = await visible_session(actor, organization_id, session_id)
            # the mentorship first, as its end and every other writer of its sessions do
            await locked_mentorship(organization_id, seen.mentorship_id)
            session = await visible_session(actor, organization_id, session_id, for_update=True)
            self._may_change(actor, session)
            transitions.check(transitions.CANCEL, session.status)
            change_rules.check_notice(self.settings, actor, session, body.reason, now=now)
            targets = [session]
            if body.scope == "this_and_following":
                if session.series_id is None:
                    raise errors.BusinessRuleViolated("scope this_and_following is for a session of a series")
                targets += await (
                    scoped(CoachingSession, organization_id)
                    .filter(
                        series_id=session.series_id,
                        series_index__gt=session.series_index,
                        status=CoachingSessionStatus.SCHEDULED.value,
                    )
                    .order_by("series_index")
                    .select_for_update()
                )
            for target in targets[1:]:
                # an occurrence may have been moved alone, even into the window: the rules
                # hold for each session cancelled, not only the one named
                change_rules.check_notice(self.settings, actor, target, body.reason, now=now)
            await cancelling.cancel(work, targets, now=now, reason=body.reason, by=actor.user_id)
        return session_public(session)

    # -- running ---------------------------------------------------------------------

    async def run(
        self, actor: Actor, organization_id: UUID, session_id: UUID, transition: transitions.Transition
    ) -> CoachingSessionPublic:
        """Start, complete or mark a no-show: the coach or a Manager."""
        async with self.units() as work:
            session = await visible_session(actor, organization_id, session_id, for_update=True)
            if not policy.may_run_session(actor, coach_id=session.coach_id):
                raise errors.Forbidden(f"Only the coach or a Manager may {transition.action} a session")
            transitions.check(transition, session.status)
            session.status = transition.to.value
            changed = ["status"]
            if transition.stamp is not None:
                setattr(session, transition.stamp, self.clock())
                changed.append(transition.stamp)
            await session.save(update_fields=[*changed, "updated_at"])
            cancelling.announce(work, transition.event, session, changed_fields=changed)
        return session_public(session)

    # -- rules -------------------------------------------------------------------------

    async def _check_bookable(self, organization_id: UUID, session: CoachingSession) -> None:
        """Time is booked only in an active mentorship: moving a session books a new time
        (cancelling it is still possible once the mentorship is paused or ended)."""
        mentorship = await scoped(Mentorship, organization_id).get(id=session.mentorship_id)
        if mentorship.status != MentorshipStatus.ACTIVE:
            raise errors.BusinessRuleViolated(
                f"Sessions are moved in an active mentorship; this one is {mentorship.status}"
            )
        await _require_members(organization_id, mentorship)

    def _may_change(self, actor: Actor, session: CoachingSession) -> None:
        if not policy.may_change_session(actor, coach_id=session.coach_id, teacher_id=session.teacher_id):
            raise errors.Forbidden("Only the session's participants or a Manager may change it")


async def _require_members(organization_id: UUID, mentorship: Mentorship) -> None:
    """Time is booked only for people still in the organization: a session of someone who
    left would hold their time in every organization, and nobody there could free it."""
    people = [mentorship.coach_id, mentorship.teacher_id]
    if await active_member_ids(organization_id, people) != set(people):
        raise errors.BusinessRuleViolated(
            "The mentorship's coach or teacher is no longer an active member of the organization"
        )
