"""Session reminders (SPEC §6): an email to both participants some time before a session
starts (settings.coaching.reminder_offsets_seconds, default 24 h and 1 h), sent once, by
a scheduled sweep in a worker, never by a request.

Every `reminder_poll_seconds` a sweeper looks at the scheduled sessions starting within
the largest offset. For each, the reminder due is that of the smallest offset whose
moment (start − offset) has passed: a sweep that comes late sends the latest reminder
only, never a burst of stale ones. A reminder is sent only if the session held its
current time and state before that moment (`updated_at` ≤ start − offset): a session
booked, or moved, 2 h ahead gets the 1 h reminder, not a "24 h" one.

Sent once: the reminder's row (SentReminder, unique on session, offset and start time)
and its staged emails (the outbox) commit in one transaction, with the session locked
and re-read as scheduled at that start time. Of several sweepers (worker processes)
that find the same reminder due, one insert wins and the others roll back, emails
included. Keyed on the start time: a moved session is reminded at its new time only; a
cancelled one, never (it is no longer scheduled).

Where it runs: each worker process runs one sweeper (tasks/scheduler.py); the embedded
default (no broker URL) runs it in the API process (app.main). `reminder_sweeper` below
is the one place either builds it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from app.coaching.session_display import plain_join_url, zone_of
from app.core.membership import active_member_ids
from app.core.scoping import scoped, unscoped
from app.core.settings import CoachingSettings, Settings
from app.core.text import unlinkable
from app.core.unit_of_work import UnitOfWork, UnitsOfWork
from app.outbox.staging import stage_email
from models import CoachingSession, SentReminder, User
from models.coaching import CoachingSessionStatus

logger = logging.getLogger("tandem.reminders")
TEMPLATE = "session_reminder"
# sessions read at once, soonest first; a sweep reads batch after batch until none is left
SWEEP_BATCH = 500


def due_offset(session: CoachingSession, offsets: list[int], now: datetime) -> int | None:
    """The offset (seconds) whose reminder is due now, or None. `offsets` ascending."""
    for offset in offsets:  # smallest first: the latest reminder whose moment has passed
        moment = session.starts_at - timedelta(seconds=offset)
        if moment <= now < session.starts_at:
            # booked or changed after that moment: too late for this reminder
            return offset if session.updated_at <= moment else None
    return None


class ReminderSweeper:
    def __init__(self, coaching: CoachingSettings, *, units: UnitsOfWork) -> None:
        self.coaching = coaching
        self.units = units
        self.offsets = sorted({offset for offset in coaching.reminder_offsets_seconds if offset > 0})
        self._running = False
        self._stopped = asyncio.Event()

    async def sweep_once(self, *, now: datetime | None = None) -> int:
        """Send the reminders due at `now`; returns how many this sweeper sent. Reads the
        upcoming sessions batch by batch, all of them: a batch of sessions reminded
        already must not hide a later session whose reminder is due."""
        now = now or datetime.now(UTC)
        if not self.offsets:
            return 0
        sent, after = 0, None
        while True:
            upcoming = await self._upcoming(now, after)
            sent += await self._send_due(upcoming, now)
            if len(upcoming) < SWEEP_BATCH:
                return sent
            after = upcoming[-1]

    async def _upcoming(self, now: datetime, after: CoachingSession | None) -> list[CoachingSession]:
        """The next batch of scheduled sessions starting within the largest offset, soonest
        first, after the session `after` (keyset: starts_at, then id)."""
        query = unscoped(
            CoachingSession, reason="a worker's sweep over every organization's upcoming sessions"
        ).filter(
            status=CoachingSessionStatus.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + timedelta(seconds=self.offsets[-1]),
        )
        if after is not None:
            query = query.filter(
                Q(starts_at__gt=after.starts_at) | Q(starts_at=after.starts_at, id__gt=after.id)
            )
        return await query.order_by("starts_at", "id").limit(SWEEP_BATCH)

    async def _send_due(self, upcoming: list[CoachingSession], now: datetime) -> int:
        due = [
            (session, offset) for session in upcoming if (offset := due_offset(session, self.offsets, now))
        ]
        if not due:
            return 0
        sent_already = {
            (str(session_id), offset, starts_at)
            for session_id, offset, starts_at in await SentReminder.filter(
                session_id__in=[session.id for session, _ in due]
            ).values_list("session_id", "offset_seconds", "starts_at")
        }
        sent = 0
        for session, offset in due:
            if (str(session.id), offset, session.starts_at) in sent_already:
                continue
            if await self._send(session, offset):
                sent += 1
        return sent

    async def _send(self, session: CoachingSession, offset: int) -> bool:
        try:
            async with self.units() as work:
                # locked and read again: a cancel or a move that committed since the sweep
                # read it wins, and one that comes after waits for this reminder's commit
                current = (
                    await scoped(CoachingSession, session.organization_id)
                    .filter(
                        id=session.id, status=CoachingSessionStatus.SCHEDULED, starts_at=session.starts_at
                    )
                    .select_for_update()
                    .first()
                )
                if current is None:
                    return False
                await SentReminder.create(
                    session_id=current.id, offset_seconds=offset, starts_at=current.starts_at
                )
                await self._stage_emails(work, current, offset)
        except IntegrityError:
            return False  # another sweeper sent this reminder: its transaction won
        return True

    async def _stage_emails(self, work: UnitOfWork, session: CoachingSession, offset: int) -> None:
        """To the coach and the coachee, while they are active members of the organization."""
        members = await active_member_ids(session.organization_id, [session.coach_id, session.teacher_id])
        people = {
            user.id: user
            for user in await User.filter(
                id__in=[session.coach_id, session.teacher_id], disabled=False, deleted_at=None
            )
        }
        for user_id, other_id in (
            (session.coach_id, session.teacher_id),
            (session.teacher_id, session.coach_id),
        ):
            person = people.get(user_id)
            if person is None or UUID(str(user_id)) not in members:
                continue
            other = people.get(other_id)
            await stage_email(work, TEMPLATE, to=person.email, context=_context(session, offset, other))

    async def run(self) -> None:
        """Until stop(): a sweep every reminder_poll_seconds."""
        self._running = True
        while self._running:
            try:
                await self.sweep_once()
            except Exception:  # the database is down: say so, and try again next time
                logger.exception("reminder sweep failed")
            try:
                await asyncio.wait_for(self._stopped.wait(), self.coaching.reminder_poll_seconds)
            except TimeoutError:
                pass

    def stop(self) -> None:
        """From the sweeper's own event loop (another thread: loop.call_soon_threadsafe)."""
        self._running = False
        self._stopped.set()


def _context(session: CoachingSession, offset: int, other: User | None) -> dict[str, str]:
    zone = zone_of(session)
    local = session.starts_at.astimezone(zone)
    return {
        # chosen by one person, read by another in an email from us: never a link
        # (app.core.text.unlinkable); one line and HTML escaping are the renderer's
        "title": unlinkable(session.title),
        "with_name": unlinkable(other.name) if other is not None else "",
        "starts_local": f"{local:%A} {local.day} {local:%B %Y, %H:%M} ({zone.key})",
        "starts_in": _duration(offset),
        "join_url": plain_join_url(session) or "",
        "location": unlinkable(session.location) if session.location else "",
    }


def _duration(seconds: int) -> str:
    """ "24 hours", "1 hour", "2 days", "90 minutes"."""
    if seconds >= 2 * 86_400 and seconds % 86_400 == 0:
        count, unit = seconds // 86_400, "day"
    elif seconds % 3_600 == 0:
        count, unit = seconds // 3_600, "hour"
    else:
        count, unit = max(1, round(seconds / 60)), "minute"
    return f"{count} {unit}{'s' if count != 1 else ''}"


def reminder_sweeper(settings: Settings, *, units: UnitsOfWork) -> ReminderSweeper:
    """The one place a sweeper is built: by a worker process (tasks/scheduler.py) or, in
    the embedded default, by the API process (app.main)."""
    return ReminderSweeper(settings.coaching, units=units)
