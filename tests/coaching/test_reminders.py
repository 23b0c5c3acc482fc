"""Session reminders (SPEC §6): an email to both participants before the start, sent once by
a scheduled sweep (never by a request), at the session's current time only, never for a
cancelled session, and never twice when several workers sweep at once."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.coaching.reminders import SWEEP_BATCH, ReminderSweeper
from app.core.database import own_database
from app.core.settings import DatabaseSettings
from models import CoachingSession, Organization, OrganizationUser, SentReminder, User
from models.coaching import CoachingSessionStatus
from tasks.scheduler import ReminderScheduler
from tests.coaching.session_rows import open_mentorship, session_of
from tests.deployment import deployment, logs, ready
from tests.factories import organization_with
from tests.mail import SmtpServer, text_of
from tests.waiting import eventually

DAY, HOUR = 86_400, 3_600


async def participants(*, name: str = "Person") -> tuple[User, User]:
    """A coach and a coachee, made as rows (these tests sign nobody in)."""
    made = []
    for role in ("coach", "teacher"):
        suffix = f"{role}-{datetime.now(UTC).timestamp():.6f}".replace(".", "")
        made.append(
            await User.create(
                name=f"{name} {role}", nickname=suffix[:32], email=f"{suffix}@example.com", password_hash="x"
            )
        )
    return made[0], made[1]


async def program(**session_fields) -> tuple[CoachingSession, User, User]:  # type: ignore[no-untyped-def]
    coach, teacher = await participants()
    organization = await organization_with((str(coach.id), "Coach"), (str(teacher.id), "Teacher"))
    mentorship = await open_mentorship(organization, str(coach.id), str(teacher.id))
    return await session_of(mentorship, **session_fields), coach, teacher


def sweeper(server) -> ReminderSweeper:  # type: ignore[no-untyped-def]
    return ReminderSweeper(server.state.settings.coaching, units=server.state.units)


async def reminders() -> list[tuple[str, int, datetime]]:
    rows = (
        await SentReminder.all()
        .order_by("created_at")
        .values_list("session_id", "offset_seconds", "starts_at")
    )
    return [(str(session_id), offset, starts_at) for session_id, offset, starts_at in rows]


async def settled(inbox, count: int) -> list:  # type: ignore[no-untyped-def]
    """The inbox once it holds `count` emails, and still after a moment (nothing more comes)."""
    await eventually(lambda: len(inbox.messages) >= count)
    await asyncio.sleep(0.5)
    return list(inbox.messages)


async def test_two_sweepers_at_once_send_each_reminder_once(mail_server, smtp_server: SmtpServer):
    sessions = [await program(title=f"Session {number}") for number in range(4)]
    moment = max(session.starts_at for session, _, _ in sessions) - timedelta(hours=23)
    first, second = sweeper(mail_server), sweeper(mail_server)

    sent = await asyncio.gather(first.sweep_once(now=moment), second.sweep_once(now=moment))

    assert sum(sent) == 4
    assert sorted(offset for _, offset, _ in await reminders()) == [DAY] * 4
    messages = await settled(smtp_server.inbox, 8)
    assert len(messages) == 8
    expected = {user.email for _, coach, teacher in sessions for user in (coach, teacher)}
    assert {message["To"] for message in messages} == expected
    # a later sweep finds them sent
    assert await first.sweep_once(now=moment + timedelta(minutes=1)) == 0


async def test_the_reminder_names_the_session_its_local_time_and_join_link(
    mail_server, smtp_server: SmtpServer
):
    session, coach, teacher = await program(
        title="Pacing review",
        starts_at=datetime(2030, 1, 15, 13, 0, tzinfo=UTC),
        timezone="Europe/Paris",
        join_url="https://video.example/j/42",
    )

    assert await sweeper(mail_server).sweep_once(now=session.starts_at - timedelta(minutes=50)) == 1

    message = await smtp_server.inbox.wait_for(teacher.email, "Pacing review")
    assert "1 hour" in message["Subject"]
    text = text_of(message)
    assert "Tuesday 15 January 2030, 14:00 (Europe/Paris)" in text
    assert "https://video.example/j/42" in text
    assert coach.name in text


async def test_a_rescheduled_session_is_reminded_at_its_new_time_only(server):
    session, _, _ = await program()
    old_start = session.starts_at
    reminders_sweeper = sweeper(server)
    assert await reminders_sweeper.sweep_once(now=old_start - timedelta(hours=23)) == 1

    new_start = old_start + timedelta(days=2)
    session.starts_at, session.ends_at = new_start, new_start + timedelta(hours=1)
    session.sequence += 1
    await session.save()

    # the old time's 1 h reminder is never sent
    assert await reminders_sweeper.sweep_once(now=old_start - timedelta(minutes=30)) == 0
    assert await reminders_sweeper.sweep_once(now=new_start - timedelta(hours=23)) == 1
    assert await reminders_sweeper.sweep_once(now=new_start - timedelta(minutes=59)) == 1
    assert [(offset, starts_at) for _, offset, starts_at in await reminders()] == [
        (DAY, old_start),
        (DAY, new_start),
        (HOUR, new_start),
    ]


async def test_a_cancelled_session_gets_no_reminder(server):
    session, _, _ = await program(status=CoachingSessionStatus.CANCELLED.value)

    for before in (timedelta(hours=23), timedelta(minutes=30)):
        assert await sweeper(server).sweep_once(now=session.starts_at - before) == 0
    assert await reminders() == []


async def test_a_session_booked_two_hours_ahead_gets_the_one_hour_reminder_only(server):
    now = datetime.now(UTC)
    session, _, _ = await program(starts_at=now + timedelta(hours=2))
    reminders_sweeper = sweeper(server)

    assert await reminders_sweeper.sweep_once(now=now + timedelta(seconds=1)) == 0
    assert await reminders_sweeper.sweep_once(now=session.starts_at - timedelta(minutes=59)) == 1
    assert [offset for _, offset, _ in await reminders()] == [HOUR]


async def test_a_late_sweep_sends_only_the_latest_reminder(server):
    session, _, _ = await program()

    # the worker was down at the 24 h moment: at 30 min before, the 1 h reminder alone
    assert await sweeper(server).sweep_once(now=session.starts_at - timedelta(minutes=30)) == 1
    assert [offset for _, offset, _ in await reminders()] == [HOUR]


async def test_a_participant_who_left_the_organization_is_not_reminded(mail_server, smtp_server: SmtpServer):
    session, coach, teacher = await program()
    await OrganizationUser.filter(user_id=teacher.id).update(status="removed")

    assert await sweeper(mail_server).sweep_once(now=session.starts_at - timedelta(minutes=30)) == 1

    messages = await settled(smtp_server.inbox, 1)
    assert [message["To"] for message in messages] == [coach.email]


async def test_the_embedded_server_sweeps_for_reminders_itself(
    make_settings, migrated_database, start_app, tmp_path
):
    """No broker: no worker process either, so the API process sweeps (app.main)."""
    settings = make_settings(database={"url": migrated_database}, coaching={"reminder_poll_seconds": 0.1})
    mail = Path(settings.email.folder)
    async with start_app(settings):
        session, _, _ = await program(starts_at=datetime.now(UTC) + timedelta(minutes=30))
        # booked well before its 1 h moment
        await CoachingSession.filter(id=session.id).update(updated_at=datetime.now(UTC) - timedelta(hours=2))

        await eventually(lambda: len(list(mail.glob("*.eml"))) == 2, timeout=10)
        assert [offset for _, offset, _ in await reminders()] == [HOUR]


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
@pytest.mark.timeout(90)
async def test_a_worker_process_sends_the_reminders(
    migrated_database: str, redis_url: str, smtp_server: SmtpServer, tmp_path: Path
):
    """`python server.py worker` sweeps on its own (tasks/scheduler.py); the API processes
    relay what it staged."""
    environment = {"TANDEM__COACHING__REMINDER_POLL_SECONDS": "0.2"}
    with deployment(
        tmp_path,
        database_url=migrated_database,
        redis_url=redis_url,
        smtp_url=smtp_server.url,
        environment=environment,
    ) as processes:
        async with own_database(DatabaseSettings(url=migrated_database)):
            session, coach, teacher = await program(starts_at=datetime.now(UTC) + timedelta(minutes=30))
            await CoachingSession.filter(id=session.id).update(
                updated_at=datetime.now(UTC) - timedelta(hours=2)
            )
            await ready(processes["api-a"])
            try:
                await smtp_server.inbox.wait_for(coach.email, "starts in 1 hour", timeout=30)
                await smtp_server.inbox.wait_for(teacher.email, "starts in 1 hour", timeout=30)
            except AssertionError as missing:
                raise AssertionError(f"{missing}\n{logs(processes)}") from None
            assert [offset for _, offset, _ in await reminders()] == [HOUR]


# -- attacks (red team) -------------------------------------------------------------------


async def test_injecting_headers_markup_or_a_link_through_a_sessions_fields_is_refused(
    mail_server, smtp_server: SmtpServer
):
    """Rows the API would refuse (an older row, a value no schema checked): the email to
    the other participant still carries one subject line, escaped markup, and no link
    that is not a plain web address."""
    session, coach, teacher = await program(
        title='Chat\r\nBcc: victim@example.com\r\n\r\n<script>alert(1)</script><a href="https://evil.example">x</a>',
        location="<img src=x onerror=alert(1)> evil.example/login",
        join_url="javascript:alert(document.cookie)//https://video.example",
    )

    assert await sweeper(mail_server).sweep_once(now=session.starts_at - timedelta(minutes=30)) == 1

    message = await smtp_server.inbox.wait_for(teacher.email, "Chat")
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
    assert message["Bcc"] is None and message["Cc"] is None
    assert {message["To"] for message in await settled(smtp_server.inbox, 2)} == {coach.email, teacher.email}
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "<img" not in html and 'href="https://evil.example"' not in html
    assert "javascript:" not in html and "javascript:" not in text_of(message)
    assert "evil.example/login" not in html and "evil.example/login" not in text_of(message)


async def test_a_quote_in_a_join_link_cannot_break_out_of_the_emails_href(
    mail_server, smtp_server: SmtpServer
):
    session, _, teacher = await program(join_url='https://video.example/j/1"onmouseover="alert(1)')

    assert await sweeper(mail_server).sweep_once(now=session.starts_at - timedelta(minutes=30)) == 1

    html = (await smtp_server.inbox.wait_for(teacher.email, "Weekly")).get_body(("html",)).get_content()
    assert '"onmouseover' not in html and 'onmouseover="' not in html


async def test_a_session_moved_away_and_back_is_reminded_once_per_reminder(server):
    """A → B → A: the 24 h reminder at A went before the moves; the 1 h one goes once."""
    session, _, _ = await program()
    at_a = session.starts_at
    reminders_sweeper = sweeper(server)
    assert await reminders_sweeper.sweep_once(now=at_a - timedelta(hours=23)) == 1

    for starts_at, moved_at in (
        (at_a + timedelta(days=1), at_a - timedelta(hours=20)),
        (at_a, at_a - timedelta(hours=19)),
    ):
        await CoachingSession.filter(id=session.id).update(
            starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), updated_at=moved_at
        )
        assert await reminders_sweeper.sweep_once(now=moved_at + timedelta(minutes=1)) == 0

    assert await reminders_sweeper.sweep_once(now=at_a - timedelta(minutes=59)) == 1
    assert await reminders_sweeper.sweep_once(now=at_a - timedelta(minutes=30)) == 0
    assert [(offset, starts_at) for _, offset, starts_at in await reminders()] == [(DAY, at_a), (HOUR, at_a)]


async def test_a_session_of_a_deleted_organization_reminds_nobody(mail_server, smtp_server: SmtpServer):
    session, _, _ = await program()
    await Organization.filter(id=session.organization_id).update(deleted_at=datetime.now(UTC))
    _, _, teacher = await program(title="Still on")

    await sweeper(mail_server).sweep_once(now=session.starts_at - timedelta(minutes=30))

    await smtp_server.inbox.wait_for(teacher.email, "Still on")
    messages = await settled(smtp_server.inbox, 2)
    assert all("Still on" in message["Subject"] for message in messages), [m["Subject"] for m in messages]


async def test_many_reminded_sessions_soon_do_not_starve_a_later_sessions_reminder(server):
    """More upcoming sessions than one sweep's batch, all reminded already: a session
    further ahead still gets its 24 h reminder when it is due, not hours late."""
    now = datetime.now(UTC).replace(microsecond=0)
    soon, _, _ = await program(starts_at=now + timedelta(minutes=30))
    crowd = [
        CoachingSession(
            organization_id=soon.organization_id,
            mentorship_id=soon.mentorship_id,
            coach_id=soon.coach_id,
            teacher_id=soon.teacher_id,
            title=f"Busy {number}",
            starts_at=now + timedelta(minutes=20, seconds=number),
            ends_at=now + timedelta(minutes=50, seconds=number),
            timezone="UTC",
            updated_at=now - timedelta(days=3),
        )
        for number in range(SWEEP_BATCH)
    ]
    await CoachingSession.bulk_create(crowd, batch_size=500)
    await SentReminder.bulk_create(
        [SentReminder(session_id=row.id, offset_seconds=HOUR, starts_at=row.starts_at) for row in crowd],
        batch_size=500,
    )
    later, _, _ = await program(starts_at=now + timedelta(hours=23, minutes=50))
    await CoachingSession.filter(id=later.id).update(updated_at=now - timedelta(days=3))

    await sweeper(server).sweep_once(now=now)

    assert await SentReminder.filter(session_id=later.id, offset_seconds=DAY).exists()


class _DatabaseDoor:
    """A TCP door to PostgreSQL that is shut (connection refused) until opened: the
    database as a worker sees it while it is down, then back."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 5432)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = parts._replace(netloc=f"{parts.netloc.rsplit('@', 1)[0]}@127.0.0.1:{self.port}").geturl()
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []

    async def open(self) -> None:
        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while data := await reader.read(65_536):
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()

        async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
            self.writers += [writer, upstream_writer]
            asyncio.ensure_future(pipe(reader, upstream_writer))
            asyncio.ensure_future(pipe(upstream_reader, writer))

        self.server = await asyncio.start_server(forward, "127.0.0.1", self.port)

    def close(self) -> None:
        """Shut, and cut the connections made through it (the database restarting)."""
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in self.writers:
            writer.transport.abort()
        self.writers.clear()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_worker_sweeper_that_starts_while_the_database_is_down_recovers_when_it_is_back(
    server, make_settings, migrated_database: str, captured_log
):
    """tasks/scheduler.py's thread must not die of a database that is down: it says so,
    and sends the reminders once the database answers again."""
    door = _DatabaseDoor(migrated_database)
    settings = make_settings(database={"url": door.url}, coaching={"reminder_poll_seconds": 0.1})
    session, _, _ = await program(starts_at=datetime.now(UTC) + timedelta(minutes=30))
    await CoachingSession.filter(id=session.id).update(updated_at=datetime.now(UTC) - timedelta(hours=2))
    scheduler = ReminderScheduler(settings)
    scheduler.after_worker_boot(None, None)  # type: ignore[arg-type]
    try:
        await eventually(lambda: "reminder sweep failed" in captured_log.text(), timeout=10)
        assert await reminders() == []

        await door.open()

        async def reminded() -> bool:
            return bool(await reminders())

        await eventually(reminded, timeout=10)
        assert [offset for _, offset, _ in await reminders()] == [HOUR]

        # down again, with the sweeper's pooled connections cut, then back
        door.close()
        failures = captured_log.text().count("reminder sweep failed")
        second, _, _ = await program(starts_at=datetime.now(UTC) + timedelta(minutes=30))
        await CoachingSession.filter(id=second.id).update(updated_at=datetime.now(UTC) - timedelta(hours=2))
        await eventually(lambda: captured_log.text().count("reminder sweep failed") > failures, timeout=10)
        await door.open()

        async def reminded_twice() -> bool:
            return len(await reminders()) == 2

        await eventually(reminded_twice, timeout=10)
        assert scheduler._thread is not None and scheduler._thread.is_alive()
    finally:
        # from another thread: the door's forwarding runs in this loop, and the sweeper's
        # connections close through it
        await asyncio.to_thread(scheduler.before_worker_shutdown, None, None)  # type: ignore[arg-type]
        door.close()
