"""The calendar feed (SPEC §6): a per-user URL holding a random token (stored hashed,
revocable, replaced on regeneration), read by calendar apps without a client key, and a
valid iCalendar document of the sessions its user takes part in."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from icalendar import Calendar

from app.coaching.calendar.service import FEED_MAX_SESSIONS
from app.core.settings import Settings
from app.core.tokens import new_token
from models import AuditEvent, CalendarFeed, CoachingSession, Organization, OrganizationUser, User
from models.coaching import CoachingSessionStatus
from tests.coaching.session_rows import open_mentorship, session_of
from tests.conftest import ROOMY_AUTH_LIMIT
from tests.factories import SignedInUser, organization_with, signed_in_user
from tests.logs import CapturedLog
from tests.problems import assert_problem

MY_FEED = "/api/v1/me/calendar-feed"
FEED = "/api/v1/sessions/calendar.ics"


@pytest.fixture
def settings(make_settings, migrated_database: str, redis_url: str) -> Settings:
    """The access log on, as in production; clients behind a trusted proxy (127.0.0.1), so a
    test can come from several addresses."""
    return make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        rate_limits=ROOMY_AUTH_LIMIT,
        server={"access_log": True, "trusted_proxies": ["127.0.0.1/32"]},
    )


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


async def new_feed(person: SignedInUser) -> str:
    created = await person.client.post(MY_FEED)
    assert created.status_code == 201, created.text
    return token_of(created.json()["data"]["url"])


async def read_feed(server, token: str, **headers: str) -> httpx.Response:
    """As a calendar app reads it: no client key, no cookie."""
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as app:
        return await app.get(FEED, params={"token": token}, headers=headers)


def events_of(response: httpx.Response) -> dict[str, object]:
    calendar = Calendar.from_ical(response.content)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


async def test_my_feed_lists_the_sessions_i_take_part_in_as_valid_icalendar(server):
    coach, teacher, stranger = [await signed_in_user(server) for _ in range(3)]
    organization = await organization_with(
        (coach.id, "Coach"), (teacher.id, "Teacher"), (stranger.id, "Coach")
    )
    mentorship = await open_mentorship(organization, coach.id, teacher.id)
    scheduled = await session_of(mentorship, title="Kick-off", location="Room 4", sequence=1)
    cancelled = await session_of(
        mentorship,
        title="Called off",
        starts_at=datetime.now(UTC).replace(microsecond=0) + timedelta(days=9),
        status=CoachingSessionStatus.CANCELLED.value,
        sequence=3,
    )
    completed = await session_of(
        mentorship,
        title="Done",
        starts_at=datetime.now(UTC).replace(microsecond=0) - timedelta(days=10),
        status=CoachingSessionStatus.COMPLETED.value,
        join_url="https://video.example/j/123",
        timezone="America/New_York",
    )
    too_old = await session_of(mentorship, starts_at=datetime.now(UTC) - timedelta(days=120))
    others = await open_mentorship(organization, stranger.id, teacher.id)
    not_mine = await session_of(others, starts_at=datetime.now(UTC) + timedelta(days=3))

    response = await read_feed(server, await new_feed(coach))

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response.headers["cache-control"] and "private" in response.headers["cache-control"]
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["version"]) == "2.0" and calendar["prodid"]
    events = events_of(response)
    assert set(events) == {f"{s.id}@tandem" for s in (scheduled, cancelled, completed)}
    assert f"{too_old.id}@tandem" not in events and f"{not_mine.id}@tandem" not in events
    kick_off = events[f"{scheduled.id}@tandem"]
    assert str(kick_off["summary"]) == "Kick-off" and str(kick_off["location"]) == "Room 4"
    assert kick_off["sequence"] == 1 and str(kick_off["status"]) == "CONFIRMED"
    assert kick_off["dtstart"].params["TZID"] == "Europe/Paris"
    assert kick_off.decoded("dtstart") == scheduled.starts_at
    assert kick_off.decoded("dtend") == scheduled.ends_at
    called_off = events[f"{cancelled.id}@tandem"]
    assert str(called_off["status"]) == "CANCELLED" and called_off["sequence"] == 3
    done = events[f"{completed.id}@tandem"]
    assert str(done["status"]) == "CONFIRMED" and str(done["url"]) == "https://video.example/j/123"
    assert done["dtstart"].params["TZID"] == "America/New_York"
    assert {str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")} == {"Europe/Paris", "America/New_York"}
    # the teacher's feed shows the same sessions under the same UIDs
    assert set(events_of(await read_feed(server, await new_feed(teacher)))) >= set(events) - {
        f"{not_mine.id}@tandem"
    }


async def test_regenerating_the_feed_revokes_the_previous_url(server):
    person = await signed_in_user(server)
    first = await new_feed(person)
    second = await new_feed(person)

    assert_problem(await read_feed(server, first), 404, "NOT_FOUND")
    assert (await read_feed(server, second)).status_code == 200
    status = (await person.client.get(MY_FEED)).json()["data"]
    assert status["active"] is True and status["last_used_at"] is not None

    assert (await person.client.delete(MY_FEED)).json() == {"success": True}
    assert_problem(await read_feed(server, second), 404, "NOT_FOUND")
    assert (await person.client.get(MY_FEED)).json()["data"] == {
        "active": False,
        "created_at": None,
        "last_used_at": None,
    }
    assert_problem(await person.client.delete(MY_FEED), 404, "NOT_FOUND")
    actions = (
        await AuditEvent.filter(target_type="calendar_feed")
        .order_by("created_at")
        .values_list("action", "organization_id", "actor_id")
    )
    assert [action for action, _, _ in actions] == [
        "calendar_feed.created",
        "calendar_feed.revoked",
        "calendar_feed.regenerated",
        "calendar_feed.revoked",
    ]
    assert {(organization, str(actor)) for _, organization, actor in actions} == {(None, person.id)}


async def test_the_feed_token_is_stored_only_as_its_hash_and_never_shown_again(server):
    person = await signed_in_user(server)
    token = await new_feed(person)

    feed = await CalendarFeed.get(user_id=person.id)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (await person.client.get(MY_FEED)).text


async def test_sessions_of_an_organization_i_left_leave_my_feed(server):
    coach, teacher = await signed_in_user(server), await signed_in_user(server)
    stays = await organization_with((coach.id, "Coach"), (teacher.id, "Teacher"))
    left = await organization_with((coach.id, "Coach"), (teacher.id, "Teacher"))
    kept = await session_of(await open_mentorship(stays, coach.id, teacher.id))
    gone = await session_of(
        await open_mentorship(left, coach.id, teacher.id), starts_at=datetime.now(UTC) + timedelta(days=5)
    )
    token = await new_feed(coach)
    assert set(events_of(await read_feed(server, token))) == {f"{kept.id}@tandem", f"{gone.id}@tandem"}

    await OrganizationUser.filter(organization_id=left.id, user_id=coach.id).update(status="removed")

    assert set(events_of(await read_feed(server, token))) == {f"{kept.id}@tandem"}


async def test_a_feed_read_again_shows_what_changed_since_the_last_read(server):
    coach, teacher = await signed_in_user(server), await signed_in_user(server)
    organization = await organization_with((coach.id, "Coach"), (teacher.id, "Teacher"))
    mentorship = await open_mentorship(organization, coach.id, teacher.id)
    session = await session_of(mentorship, title="Kick-off")
    token = await new_feed(coach)
    first = await read_feed(server, token)
    assert first.content == (await read_feed(server, token)).content  # nothing changed: the same

    session.title, session.sequence = "Kick-off (moved)", session.sequence + 1
    await session.save()  # as the API saves a change: updated_at moves
    added = await session_of(mentorship, starts_at=datetime.now(UTC) + timedelta(days=9))

    again = Calendar.from_ical((await read_feed(server, token)).content)
    summaries = {str(event["UID"]): str(event["SUMMARY"]) for event in again.walk("VEVENT")}
    assert summaries[f"{session.id}@tandem"] == "Kick-off (moved)"
    assert f"{added.id}@tandem" in summaries


async def test_a_line_break_in_a_title_cannot_add_a_property_to_the_feed(server):
    coach, teacher = await signed_in_user(server), await signed_in_user(server)
    organization = await organization_with((coach.id, "Coach"), (teacher.id, "Teacher"))
    title = "Chat\r\nATTENDEE:mailto:evil@example.com\r\nEND:VEVENT\r\nBEGIN:VEVENT"
    session = await session_of(
        await open_mentorship(organization, coach.id, teacher.id),
        title=title,
        location="Room\r\nURL:https://evil.example",
        join_url="https://video.example/j/1\r\nX-EVIL:1",
    )

    response = await read_feed(server, await new_feed(coach))

    assert response.status_code == 200, response.text
    lines = response.content.decode().split("\r\n")
    assert not [line for line in lines if line.startswith(("ATTENDEE", "X-EVIL", "URL:https://evil"))]
    events = events_of(response)
    assert list(events) == [f"{session.id}@tandem"]
    (event,) = events.values()
    assert str(event["summary"]).startswith("Chat") and "ATTENDEE" in str(event["summary"])
    assert "url" not in event  # not a plain web address: left out rather than refused


async def test_an_unknown_or_malformed_token_is_refused(server):
    assert_problem(await read_feed(server, new_token()), 404, "NOT_FOUND")
    assert_problem(await read_feed(server, "not-a-token"), 400, "VALIDATION_ERROR")
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as app:
        assert_problem(await app.get(FEED), 400, "VALIDATION_ERROR")


async def test_a_disabled_accounts_feed_stops_working(server):
    person = await signed_in_user(server)
    token = await new_feed(person)

    await User.filter(id=person.id).update(disabled=True)

    assert_problem(await read_feed(server, token), 404, "NOT_FOUND")


async def test_managing_the_feed_needs_the_client_key_and_a_session(server):
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as no_key:
        assert_problem(await no_key.post(MY_FEED), 403, "FORBIDDEN")
    assert_problem(await server.client.post(MY_FEED), 401, "UNAUTHENTICATED")


async def test_the_access_log_does_not_print_the_feed_token(server, captured_log: CapturedLog):
    person = await signed_in_user(server)
    token = await new_feed(person)

    assert (await read_feed(server, token)).status_code == 200

    lines = [line for line in captured_log.lines() if line["logger"] == "tandem.access"]
    assert any(line.get("route", "").endswith("sessions/calendar.ics") for line in lines)
    # every line the server wrote (the test's own HTTP client logs the URL it asked for)
    served = [line for line in captured_log.lines() if not line["logger"].startswith(("httpx", "httpcore"))]
    assert served and not [line for line in served if token in str(line)]


async def test_guessing_feed_tokens_is_limited_per_token_across_addresses(
    make_settings, migrated_database, start_app
):
    settings = make_settings(
        database={"url": migrated_database},
        rate_limits={"calendar_feed": {"limit": 2, "period_seconds": 60}},
        server={"trusted_proxies": ["127.0.0.1/32"]},
    )
    async with start_app(settings) as live:
        token = new_token()
        answers = [
            (await read_feed(live, token, **{"X-Forwarded-For": f"203.0.113.{number}"})).status_code
            for number in range(1, 4)
        ]
        another_token = await read_feed(live, new_token(), **{"X-Forwarded-For": "203.0.113.9"})

    # the third read of one token is refused, from whichever address
    assert answers == [404, 404, 429]
    assert another_token.status_code == 404


async def test_a_calendar_service_fetching_many_feeds_from_one_address_is_not_refused(
    make_settings, migrated_database, start_app
):
    """Google or Outlook fetch thousands of people's feeds from a few addresses: that is
    bounded per address far more loosely, and spends nothing of the address's allowance
    for emailed tokens (verify-email, reset-password, MFA)."""
    settings = make_settings(
        database={"url": migrated_database},
        rate_limits={
            "token": {"limit": 2, "period_seconds": 60},
            "calendar_feed_ip": {"limit": 5, "period_seconds": 60},
        },
    )
    async with start_app(settings) as live:
        feeds = [(await read_feed(live, new_token())).status_code for _ in range(5)]
        over = await read_feed(live, new_token())
        emailed = await live.client.post("/api/v1/auth/verify-email", json={"token": new_token()})

    assert feeds == [404] * 5  # five different feeds from one address, under its allowance
    assert over.status_code == 429 and "calendar_feed_ip" in over.headers["ratelimit-policy"]
    assert emailed.status_code != 429  # the token allowance of that address is untouched


# -- attacks (red team) -------------------------------------------------------------------


async def test_a_feed_token_is_not_echoed_in_error_bodies_or_headers(server):
    person = await signed_in_user(server)
    token = await new_feed(person)
    almost = token + "!"  # malformed: the real token inside a value the schema refuses

    malformed = await read_feed(server, almost)
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as app:
        doubled = await app.get(FEED, params=[("token", new_token()), ("token", token)])
        wrong_method = await app.post(FEED, params={"token": token})
    unknown = await read_feed(server, new_token())

    assert_problem(malformed, 400, "VALIDATION_ERROR")
    for response in (malformed, doubled, wrong_method, unknown):
        assert token not in response.text, response.text
        assert not [value for value in response.headers.values() if token in value]


async def test_two_token_parameters_never_let_one_count_and_the_other_open(server):
    """The rate limit counts the first `token`; the feed must read that same one."""
    person = await signed_in_user(server)
    token = await new_feed(person)

    async with httpx.AsyncClient(base_url=server.url, timeout=10) as app:
        real_second = await app.get(FEED, params=[("token", new_token()), ("token", token)])

    assert real_second.status_code in (400, 404), real_second.text


async def test_a_head_request_reads_nothing_and_is_limited_like_a_get(server):
    person = await signed_in_user(server)
    token = await new_feed(person)

    async with httpx.AsyncClient(base_url=server.url, timeout=10) as app:
        head = await app.head(FEED, params={"token": token})
        head_unknown = await app.head(FEED, params={"token": new_token()})

    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "no-store" in head.headers["cache-control"]
    assert head_unknown.status_code == 404
    assert "ratelimit" in {name.lower() for name in head.headers}


async def test_a_cookie_or_client_key_changes_nothing_about_whose_feed_is_read(server):
    owner, intruder = await signed_in_user(server), await signed_in_user(server)
    organization = await organization_with((owner.id, "Coach"), (intruder.id, "Teacher"))
    mentorship = await open_mentorship(organization, owner.id, intruder.id)
    await session_of(mentorship)
    third = await signed_in_user(server)
    other = await organization_with((intruder.id, "Coach"), (third.id, "Teacher"))
    hidden = await session_of(await open_mentorship(other, intruder.id, third.id))
    token = await new_feed(owner)

    # the intruder's own client (cookie, client key) with the owner's token: the owner's feed
    as_intruder = await intruder.client.get(FEED, params={"token": token})
    bare = await read_feed(server, token)

    assert as_intruder.status_code == 200, as_intruder.text
    assert set(events_of(as_intruder)) == set(events_of(bare))
    assert f"{hidden.id}@tandem" not in events_of(as_intruder)
    assert_problem(await intruder.client.get(FEED, params={"token": new_token()}), 404, "NOT_FOUND")


async def test_a_feed_shows_no_session_of_a_deleted_organization_nor_one_i_take_no_part_in(server):
    coach, teacher, manager = [await signed_in_user(server) for _ in range(3)]
    kept_org = await organization_with((coach.id, "Coach"), (teacher.id, "Teacher"), (manager.id, "Manager"))
    deleted_org = await organization_with((coach.id, "Coach"), (teacher.id, "Teacher"))
    kept = await session_of(await open_mentorship(kept_org, coach.id, teacher.id))
    await session_of(
        await open_mentorship(deleted_org, coach.id, teacher.id),
        starts_at=datetime.now(UTC) + timedelta(days=4),
    )
    await Organization.filter(id=deleted_org.id).update(deleted_at=datetime.now(UTC))

    assert set(events_of(await read_feed(server, await new_feed(coach)))) == {f"{kept.id}@tandem"}
    # a Manager sees the session through the API, but it is not on their calendar
    assert events_of(await read_feed(server, await new_feed(manager))) == {}


async def test_a_removed_members_feed_keeps_working_without_that_organizations_sessions(server):
    coach, teacher = await signed_in_user(server), await signed_in_user(server)
    organization = await organization_with((coach.id, "Coach"), (teacher.id, "Teacher"))
    await session_of(await open_mentorship(organization, coach.id, teacher.id))
    token = await new_feed(teacher)

    await OrganizationUser.filter(user_id=teacher.id).update(status="removed")

    response = await read_feed(server, token)
    assert response.status_code == 200 and events_of(response) == {}


async def test_a_deleted_accounts_feed_stops_working(server):
    person = await signed_in_user(server)
    token = await new_feed(person)

    await User.filter(id=person.id).update(deleted_at=datetime.now(UTC))

    assert_problem(await read_feed(server, token), 404, "NOT_FOUND")


async def test_a_full_feed_keeps_the_upcoming_sessions_rather_than_the_past_ones(server):
    """Past the feed's cap, what goes must be the oldest past sessions, never the next ones."""
    coach, teacher = await signed_in_user(server), await signed_in_user(server)
    organization = await organization_with((coach.id, "Coach"), (teacher.id, "Teacher"))
    mentorship = await open_mentorship(organization, coach.id, teacher.id)
    now = datetime.now(UTC).replace(microsecond=0)
    past = [
        CoachingSession(
            organization_id=organization.id,
            mentorship_id=mentorship.id,
            coach_id=mentorship.coach_id,
            teacher_id=mentorship.teacher_id,
            title=f"Past {number}",
            starts_at=now - timedelta(days=80) + timedelta(hours=number),
            ends_at=now - timedelta(days=80) + timedelta(hours=number, minutes=30),
            timezone="UTC",
            status=CoachingSessionStatus.COMPLETED.value,
        )
        for number in range(FEED_MAX_SESSIONS)
    ]
    await CoachingSession.bulk_create(past, batch_size=500)
    upcoming = await session_of(mentorship, title="Next week", starts_at=now + timedelta(days=7))

    response = await read_feed(server, await new_feed(coach))

    assert response.status_code == 200
    events = events_of(response)
    assert len(events) == FEED_MAX_SESSIONS
    assert f"{upcoming.id}@tandem" in events


async def test_the_feed_is_not_readable_cross_origin(server):
    person = await signed_in_user(server)
    token = await new_feed(person)

    response = await read_feed(server, token, Origin="https://evil.example")

    assert response.status_code == 200
    assert response.headers.get("access-control-allow-origin") in (None, "")
    assert response.headers.get("access-control-allow-credentials") in (None, "")


async def test_a_feed_token_tells_nothing_of_whose_account_it_was(server):
    """Unknown, revoked, of a disabled account, of a deleted one: the same answer."""
    revoked_owner, disabled_owner, deleted_owner = [await signed_in_user(server) for _ in range(3)]
    revoked = await new_feed(revoked_owner)
    await new_feed(revoked_owner)
    disabled, deleted = await new_feed(disabled_owner), await new_feed(deleted_owner)
    await User.filter(id=disabled_owner.id).update(disabled=True)
    await User.filter(id=deleted_owner.id).update(deleted_at=datetime.now(UTC))

    answers = []
    for token in (new_token(), revoked, disabled, deleted):
        response = await read_feed(server, token)
        body = response.json()
        body.pop("request_id", None)
        answers.append((response.status_code, body, response.headers["content-type"]))

    assert answers[0][0] == 404
    assert all(answer == answers[0] for answer in answers)
