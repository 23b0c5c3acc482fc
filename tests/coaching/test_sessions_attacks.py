"""Attacks on coaching sessions (SPEC §6): races that would double-book or answer 500,
edges of time (half-open, microseconds, offsets, the far future), input that must be a
400, tenancy of the 409 and of the list, and the status machine."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from tortoise.transactions import in_transaction

from app.coaching.sessions import overlap
from models import AuditEvent, CoachingSession, CoachingSessionSlot
from tests.coaching.mentorship_support import heard as heard_events
from tests.coaching.sessions_world import (
    SESSIONS,
    acting_in,
    hours_from_now,
    iso,
    mentorship_between,
    program,
    schedule,
    scheduled,
    session_body,
)
from tests.factories import organization_with, signed_in_user

pytestmark = pytest.mark.many_sign_ins


async def overlapping_slot_pairs() -> int:
    slots = await CoachingSessionSlot.all()
    return sum(
        1
        for index, one in enumerate(slots)
        for other in slots[index + 1 :]
        if one.user_id == other.user_id and one.starts_at < other.ends_at and other.starts_at < one.ends_at
    )


def no_server_errors(responses) -> None:  # type: ignore[no-untyped-def]
    errors = [(response.status_code, response.text) for response in responses if response.status_code >= 500]
    assert not errors, errors


# -- races ------------------------------------------------------------------------------


async def test_concurrent_series_of_the_same_two_people_in_opposite_roles_never_answer_500(server):
    """X coaches Y in one organization, Y coaches X in another: both book a weekly series
    over the same hours at once, many times. PostgreSQL's exclusion constraint lets two
    inserters of conflicting rows each wait for the other (a deadlock): it must come back
    as a 409 (or success), never a 500, and never a double booking."""
    x = await signed_in_user(server)
    y = await signed_in_user(server)
    first = await organization_with((x.id, "Coach"), (y.id, "Teacher"))
    second = await organization_with((y.id, "Coach"), (x.id, "Teacher"))
    x_coaches = await mentorship_between(first, x, y)
    y_coaches = await mentorship_between(second, y, x)
    acting_in(x, first)
    acting_in(y, second)
    base = hours_from_now(48)
    responses = []
    for round_ in range(12):
        starts_at = base + timedelta(hours=2 * round_)
        bodies = []
        for person, mentorship, offset in (
            (x, x_coaches, 0),
            (y, y_coaches, 30),
            (x, x_coaches, 15),
            (y, y_coaches, 45),
        ):
            body = {
                "mentorship_id": str(mentorship.id),
                "title": "Race",
                "starts_at": iso(starts_at + timedelta(minutes=offset)),
                "ends_at": iso(starts_at + timedelta(minutes=offset + 60)),
                "timezone": "UTC",
                "recurrence": {"frequency": "weekly", "count": 8},
            }
            bodies.append((person, body))
        round_responses = await asyncio.gather(
            *(person.client.post(SESSIONS, json=body) for person, body in bodies)
        )
        responses += round_responses
        no_server_errors(round_responses)
        assert sorted(response.status_code for response in round_responses) == [201, 409, 409, 409]
    assert await overlapping_slot_pairs() == 0


async def test_many_racing_single_bookings_of_one_slot_never_answer_500(server):
    world = await program(server)
    base = hours_from_now(60)
    for round_ in range(10):
        starts_at = base + timedelta(hours=2 * round_)
        responses = await asyncio.gather(
            *(schedule(who, world, starts_at) for who in (world.coach, world.teacher, world.manager) * 3)
        )
        no_server_errors(responses)
        assert sorted(response.status_code for response in responses) == [201] + [409] * 8
    assert await overlapping_slot_pairs() == 0


async def test_racing_reschedules_onto_one_free_slot_make_one_winner(server):
    world = await program(server)
    sessions = [await scheduled(world.coach, world, hours_from_now(50 + 2 * index)) for index in range(6)]
    target = hours_from_now(100)
    responses = await asyncio.gather(
        *(
            world.coach.client.patch(f"{SESSIONS}/{session['id']}", json={"starts_at": iso(target)})
            for session in sessions
        )
    )
    no_server_errors(responses)
    assert sorted(response.status_code for response in responses) == [200] + [409] * 5
    assert await overlapping_slot_pairs() == 0


async def test_reschedule_racing_a_new_booking_of_the_same_slot_makes_one_winner(server):
    world = await program(server)
    target = hours_from_now(120)
    for round_ in range(6):
        session = await scheduled(world.coach, world, hours_from_now(200 + 2 * round_))
        when = target + timedelta(hours=2 * round_)
        responses = await asyncio.gather(
            world.coach.client.patch(f"{SESSIONS}/{session['id']}", json={"starts_at": iso(when)}),
            schedule(world.teacher, world, when + timedelta(minutes=10)),
            schedule(world.manager, world, when - timedelta(minutes=10)),
        )
        no_server_errors(responses)
        assert sum(response.status_code in (200, 201) for response in responses) == 1
    assert await overlapping_slot_pairs() == 0


async def test_cancel_and_rebook_race_never_double_books(server):
    world = await program(server)
    for round_ in range(6):
        starts_at = hours_from_now(80 + 2 * round_)
        session = await scheduled(world.coach, world, starts_at)
        responses = await asyncio.gather(
            world.teacher.client.post(f"{SESSIONS}/{session['id']}/cancel", json={}),
            schedule(world.coach, world, starts_at),
            schedule(world.manager, world, starts_at + timedelta(minutes=5)),
        )
        no_server_errors(responses)
        assert responses[0].status_code == 200
        assert sum(response.status_code == 201 for response in responses[1:]) <= 1
    assert await overlapping_slot_pairs() == 0


async def test_concurrent_start_and_cancel_leave_one_consistent_state(server):
    world = await program(server)
    session = await scheduled(world.coach, world, hours_from_now(72))
    start, cancel = await asyncio.gather(
        world.coach.client.post(f"{SESSIONS}/{session['id']}/start"),
        world.coach.client.post(f"{SESSIONS}/{session['id']}/cancel", json={}),
    )
    assert sorted([start.status_code, cancel.status_code]) == [200, 422]
    row = await CoachingSession.get(id=session["id"])
    slots = await CoachingSessionSlot.filter(session_id=session["id"]).count()
    assert (row.status, slots) in (("in_progress", 2), ("cancelled", 0))


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_simultaneous_conflicting_inserts_cannot_deadlock_a_booking_into_a_500(server):
    """Two inserts of conflicting slots at the same instant each find the other's
    uncommitted row and wait for it, and PostgreSQL answers one `deadlock detected` (not
    the exclusion violation): a 500. Measured with 16 connections inserting overlapping
    slots of one person at once: 133 deadlocks in 3,200 inserts. So bookings of one person
    take turns: here a racing booking of the coach is under way (its lock held, its session
    not yet committed), and the API's booking waits for it, then answers 409 naming it."""
    world = await program(server)
    starts_at = hours_from_now(72)
    async with in_transaction("default"):
        await overlap.take_turns([UUID(world.coach.id)])
        booking = asyncio.ensure_future(schedule(world.teacher, world, starts_at))
        done, _ = await asyncio.wait({booking}, timeout=0.5)
        assert not done, "the booking did not wait for the one under way"
        racing = await CoachingSession.create(
            organization_id=world.organization.id,
            mentorship_id=world.mentorship.id,
            coach_id=world.coach.id,
            teacher_id=world.teacher.id,
            title="Racing",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=1),
            timezone="UTC",
        )
        await overlap.hold([racing])
    response = await booking
    assert response.status_code == 409, response.text
    assert response.json()["conflicting_session_id"] == str(racing.id)


# -- time edges --------------------------------------------------------------------------


async def test_a_session_ending_a_microsecond_into_another_is_refused(server):
    world = await program(server)
    starts_at = hours_from_now(72)
    await scheduled(world.coach, world, starts_at)
    body = session_body(world, starts_at - timedelta(hours=1))
    body["ends_at"] = iso(starts_at + timedelta(microseconds=1))
    assert (await world.coach.client.post(SESSIONS, json=body)).status_code == 409
    body["ends_at"] = iso(starts_at)
    assert (await world.coach.client.post(SESSIONS, json=body)).status_code == 201
    after = session_body(world, starts_at + timedelta(hours=1) - timedelta(microseconds=1))
    assert (await world.coach.client.post(SESSIONS, json=after)).status_code == 409


async def test_extreme_offsets_name_the_same_instant(server):
    world = await program(server)
    starts_at = hours_from_now(72)
    await scheduled(world.coach, world, starts_at)
    plus14 = (starts_at + timedelta(minutes=30)).astimezone(
        datetime.now(UTC).astimezone().tzinfo.__class__(timedelta(hours=14))  # type: ignore[call-arg]
    )
    body = session_body(world, starts_at)
    body["starts_at"] = plus14.isoformat()
    body["ends_at"] = (plus14 + timedelta(hours=1)).isoformat()
    response = await world.coach.client.post(SESSIONS, json=body)
    assert response.status_code == 409, response.text


@pytest.mark.parametrize(
    "starts_at",
    [
        "9999-12-31T23:00:00-12:00",
        "9999-12-20T10:00:00Z",
        "0001-01-01T00:30:00+14:00",
    ],
)
async def test_a_series_at_the_end_of_time_is_refused_not_a_500(server, starts_at):
    world = await program(server)
    body = session_body(world, hours_from_now(72))
    body["starts_at"] = starts_at
    body["ends_at"] = (
        starts_at.replace("T23:00", "T23:30").replace("T10:00", "T11:00").replace("T00:30", "T01:30")
    )
    body["recurrence"] = {"frequency": "weekly", "count": 52}
    response = await world.coach.client.post(SESSIONS, json=body)
    assert response.status_code in (400, 422), response.text


async def test_52_biweekly_occurrences_beyond_the_horizon_are_refused(server):
    world = await program(server)
    body = session_body(world, hours_from_now(24 * 30))
    body["recurrence"] = {"frequency": "biweekly", "count": 52}  # 714 days after day 30: > 730
    response = await world.coach.client.post(SESSIONS, json=body)
    assert response.status_code == 422 and "730 days" in response.json()["detail"]
    assert await CoachingSession.filter(mentorship_id=world.mentorship.id).count() == 0


async def test_completed_and_no_show_sessions_keep_their_time(server):
    world = await program(server)
    done_at, missed_at = hours_from_now(72), hours_from_now(80)
    done = await scheduled(world.coach, world, done_at)
    missed = await scheduled(world.coach, world, missed_at)
    assert (await world.coach.client.post(f"{SESSIONS}/{done['id']}/start")).status_code == 200
    assert (await world.coach.client.post(f"{SESSIONS}/{done['id']}/complete")).status_code == 200
    assert (await world.coach.client.post(f"{SESSIONS}/{missed['id']}/no-show")).status_code == 200
    assert (await schedule(world.coach, world, done_at)).status_code == 409
    assert (await schedule(world.teacher, world, missed_at)).status_code == 409


async def test_a_coach_who_is_a_teacher_elsewhere_is_busy_in_both_roles(server):
    world = await program(server)
    starts_at = hours_from_now(72)
    await scheduled(world.coach, world, starts_at)
    mentor = await signed_in_user(server)
    elsewhere = await organization_with((mentor.id, "Coach"), (world.coach.id, "Teacher"))
    acting_in(mentor, elsewhere)
    mentorship = await mentorship_between(elsewhere, mentor, world.coach)
    body = session_body(world, starts_at + timedelta(minutes=30))
    body["mentorship_id"] = str(mentorship.id)
    response = await mentor.client.post(SESSIONS, json=body)
    assert response.status_code == 409
    assert response.json()["conflicting_session_id"] is None
    assert response.json()["detail"] == "The teacher is busy at that time"


async def test_moving_a_session_to_the_end_of_time_is_refused_not_a_500(server):
    world = await program(server)
    session = await scheduled(world.coach, world, hours_from_now(72))
    for body in (
        {"starts_at": "9999-12-31T23:30:00Z"},
        {"ends_at": "9999-12-31T23:30:00Z"},
        {"starts_at": "0001-01-01T00:00:00Z"},
    ):
        response = await world.coach.client.patch(f"{SESSIONS}/{session['id']}", json=body)
        assert response.status_code in (400, 422), (body, response.text)


async def test_dst_nonexistent_and_ambiguous_local_times_in_a_series(server):
    """02:30 Paris on 2027-03-28 does not exist (→ 03:30 local, 01:30Z); 02:30 on
    2027-10-31 happens twice (the first, summer time: 00:30Z)."""
    world = await program(server)
    body = session_body(world, hours_from_now(72))
    body |= {"timezone": "Europe/Paris", "recurrence": {"frequency": "weekly", "count": 2}}
    body["starts_at"], body["ends_at"] = "2027-03-21T02:30:00+01:00", "2027-03-21T03:00:00+01:00"
    if datetime.now(UTC) > datetime(2027, 3, 1, tzinfo=UTC):
        pytest.skip("the dates are in the past")
    response = await world.coach.client.post(SESSIONS, json=body)
    assert response.status_code == 201, response.text
    series = response.json()["data"]["series_id"]
    listed = (
        await world.coach.client.get(SESSIONS, params={"series_id": series, "sort": "starts_at"})
    ).json()
    assert [item["starts_at"] for item in listed["data"]] == ["2027-03-21T01:30:00Z", "2027-03-28T01:30:00Z"]
    body["starts_at"], body["ends_at"] = "2027-10-24T02:30:00+02:00", "2027-10-24T03:00:00+02:00"
    response = await world.coach.client.post(SESSIONS, json=body)
    assert response.status_code == 201, response.text
    series = response.json()["data"]["series_id"]
    listed = (
        await world.coach.client.get(SESSIONS, params={"series_id": series, "sort": "starts_at"})
    ).json()
    assert [item["starts_at"] for item in listed["data"]] == ["2027-10-24T00:30:00Z", "2027-10-31T00:30:00Z"]


async def test_a_leap_day_series_keeps_its_weekday(server):
    world = await program(server)
    if datetime.now(UTC) > datetime(2028, 2, 1, tzinfo=UTC):
        pytest.skip("the dates are in the past")
    body = session_body(world, hours_from_now(72))
    body |= {"timezone": "America/New_York", "recurrence": {"frequency": "weekly", "count": 2}}
    body["starts_at"], body["ends_at"] = "2028-02-29T09:00:00-05:00", "2028-02-29T10:00:00-05:00"
    response = await world.coach.client.post(SESSIONS, json=body)
    assert response.status_code == 201, response.text
    listed = (
        await world.coach.client.get(
            SESSIONS, params={"series_id": response.json()["data"]["series_id"], "sort": "starts_at"}
        )
    ).json()
    assert [item["starts_at"] for item in listed["data"]] == ["2028-02-29T14:00:00Z", "2028-03-07T14:00:00Z"]


# -- input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"title": "x" * 201},
        {"title": "a\x00b"},
        {"title": "a\x1bb"},
        {"title": "a\u202eb"},
        {"location": "Room 1\r\nX-Injected: yes"},
        {"video_provider": "zoom", "join_url": "https://evil@zoom.us/j/1"},
        {"video_provider": "zoom", "join_url": "https:///zoom.us/j/1"},
        {"video_provider": "zoom", "join_url": "https://zoom.us/j/1\n"},
        {"video_provider": "zoom", "join_url": "https://" + "a" * 2000 + ".com"},
        {"video_provider": "zoom", "join_url": "HTTPS://:@zoom.us"},
        {"video_provider": "zoom", "join_url": "https://zoom.us:99999/"},
        {"video_provider": "zoom", "join_url": "https://[::1/"},
        {"video_provider": "skype"},
        {"video_provider": "ZOOM"},
        {"timezone": "../../etc/passwd"},
        {"timezone": "UTC "},
        {"timezone": "localtime"},
        {"timezone": "/usr/share/zoneinfo/UTC"},
        {"timezone": "posixrules"},
        {"timezone": "Europe/Paris\x00"},
        {"timezone": 5},
        {"title": ["x"]},
        {"starts_at": "2030-01-01T10:00:00"},
        {"mentorship_id": "not-a-uuid"},
        {"recurrence": {"frequency": "daily", "count": 3}},
        {"recurrence": {"frequency": "weekly", "count": 3.5}},
        {"recurrence": {"frequency": "weekly", "count": 1}},
        {"recurrence": {"frequency": "weekly", "count": 10**20}},
        {"status": "completed"},
        {"coach_id": "00000000-0000-0000-0000-000000000001"},
        {"organization_id": "00000000-0000-0000-0000-000000000001"},
        {"sequence": 9},
    ],
)
async def test_malformed_or_smuggled_session_fields_are_a_400(server, fields):
    world = await program(server)
    body = session_body(world, hours_from_now(72)) | fields
    response = await world.coach.client.post(SESSIONS, json=body)
    assert response.status_code == 400, response.text


async def test_odd_but_real_zones_are_accepted(server):
    world = await program(server)
    response = await schedule(world.coach, world, hours_from_now(72), timezone="Etc/GMT+5")
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "body",
    [
        {"status": "completed"},
        {"coach_id": "00000000-0000-0000-0000-000000000001"},
        {"teacher_id": "00000000-0000-0000-0000-000000000001"},
        {"organization_id": "00000000-0000-0000-0000-000000000001"},
        {"mentorship_id": "00000000-0000-0000-0000-000000000001"},
        {"sequence": 99},
        {"series_id": None},
        {"recurrence": {"frequency": "weekly", "count": 3}},
        {"cancelled_at": "2030-01-01T00:00:00Z"},
        {"reason_by_id": "00000000-0000-0000-0000-000000000001"},
        {"starts_at": None},
        {"timezone": "Mars/Olympus"},
        {"starts_at": "tomorrow"},
        {"title": 7},
    ],
)
async def test_smuggling_fields_into_a_patch_is_a_400(server, body):
    world = await program(server)
    session = await scheduled(world.coach, world, hours_from_now(72))
    response = await world.coach.client.patch(f"{SESSIONS}/{session['id']}", json=body)
    assert response.status_code == 400, response.text
    row = await CoachingSession.get(id=session["id"])
    assert (row.status, row.sequence) == ("scheduled", 0)


@pytest.mark.parametrize(
    "body", ['{"reason": ', "[]", '"x"', "null", '{"scope": "everything"}', '{"scope": null}']
)
async def test_a_malformed_cancel_body_is_a_400(server, body):
    world = await program(server)
    session = await scheduled(world.coach, world, hours_from_now(72))
    response = await world.coach.client.post(
        f"{SESSIONS}/{session['id']}/cancel", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text


@pytest.mark.parametrize(
    "params",
    [
        {"offset": "99999999999999999999"},
        {"offset": -1},
        {"limit": 0},
        {"limit": 10**6},
        {"sort": "starts_at; DROP TABLE coaching_sessions"},
        {"sort": "id"},
        {"from": "9999-12-31T23:59:59-12:00"},
        {"participant_id": "../"},
        {"mentorship_id": "' OR 1=1 --"},
        {"cursor": "a" * 600},
    ],
)
async def test_list_tricks_are_a_400(server, params):
    world = await program(server)
    response = await world.coach.client.get(SESSIONS, params=params)
    assert response.status_code == 400, response.text


async def test_a_huge_offset_or_inverted_window_is_an_empty_page(server):
    world = await program(server)
    await scheduled(world.coach, world, hours_from_now(72))
    for params in ({"offset": 1_000_000}, {"from": iso(hours_from_now(100)), "to": iso(hours_from_now(10))}):
        page = await world.coach.client.get(SESSIONS, params=params)
        assert page.status_code == 200, page.text
        assert page.json()["data"] == []


async def test_a_cursor_of_another_list_or_person_is_refused(server):
    world = await program(server)
    for hours in (72, 74, 76):
        await scheduled(world.coach, world, hours_from_now(hours))
    page = (await world.coach.client.get(SESSIONS, params={"limit": 1})).json()
    cursor = page["meta"]["next_cursor"]
    assert cursor
    other_sort = await world.coach.client.get(
        SESSIONS, params={"limit": 1, "cursor": cursor, "sort": "starts_at"}
    )
    assert other_sort.status_code == 400
    other_person = await world.teacher.client.get(SESSIONS, params={"limit": 1, "cursor": cursor})
    assert other_person.status_code == 400
    tampered = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    assert (await world.coach.client.get(SESSIONS, params={"cursor": tampered})).status_code == 400


# -- tenancy -----------------------------------------------------------------------------


async def test_list_filters_on_other_organizations_reveal_no_counts(server):
    world = await program(server)
    await scheduled(world.coach, world, hours_from_now(72))
    outsider = await signed_in_user(server)
    outsider_teacher = await signed_in_user(server)
    elsewhere = await organization_with(
        (outsider.id, "Manager"), (world.coach.id, "Coach"), (outsider_teacher.id, "Teacher")
    )
    acting_in(outsider, elsewhere)
    for params in (
        {"participant_id": world.coach.id},
        {"participant_id": world.teacher.id},
        {"mentorship_id": str(world.mentorship.id)},
    ):
        page = (await outsider.client.get(SESSIONS, params=params)).json()
        assert page["data"] == [] and page["meta"]["total_count"] == 0, params


async def test_another_organizations_session_is_404_for_every_verb(server):
    world = await program(server)
    session = await scheduled(world.coach, world, hours_from_now(72))
    intruder = await signed_in_user(server)
    elsewhere = await organization_with((intruder.id, "Owner"))
    acting_in(intruder, elsewhere)
    path = f"{SESSIONS}/{session['id']}"
    answers = [
        await intruder.client.get(path),
        await intruder.client.patch(path, json={"title": "mine"}),
        await intruder.client.post(f"{path}/cancel", json={}),
        await intruder.client.post(f"{path}/start"),
        await intruder.client.post(f"{path}/complete"),
        await intruder.client.post(f"{path}/no-show"),
    ]
    assert [answer.status_code for answer in answers] == [404] * 6
    assert len({answer.json()["detail"] for answer in answers}) == 1
    # and from the session's own organization header, the intruder is no member
    acting_in(intruder, world.organization)
    assert (await intruder.client.get(path)).status_code in (403, 404)


# -- notice window -------------------------------------------------------------------------


async def test_a_teacher_cannot_reschedule_a_session_that_already_started(server):
    world = await program(server)
    session = await scheduled(world.coach, world, hours_from_now(72))
    await CoachingSession.filter(id=session["id"]).update(
        starts_at=datetime.now(UTC) - timedelta(minutes=10), ends_at=datetime.now(UTC) + timedelta(minutes=50)
    )
    response = await world.teacher.client.patch(
        f"{SESSIONS}/{session['id']}", json={"starts_at": iso(hours_from_now(96))}
    )
    assert response.status_code == 422 and "24 hours" in response.json()["detail"]
    cancel = await world.teacher.client.post(f"{SESSIONS}/{session['id']}/cancel", json={"reason": "ill"})
    assert cancel.status_code == 422


async def test_a_teacher_cannot_slip_into_the_window_with_an_offset(server):
    world = await program(server)
    session = await scheduled(world.coach, world, hours_from_now(72))
    soon = hours_from_now(2).astimezone(datetime.now(UTC).tzinfo.__class__(timedelta(hours=-12)))  # type: ignore[call-arg]
    response = await world.teacher.client.patch(
        f"{SESSIONS}/{session['id']}", json={"starts_at": soon.isoformat()}
    )
    assert response.status_code == 422


# -- the status machine ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "action"),
    [
        (["start"], "start"),
        (["start"], "cancel"),
        (["start", "complete"], "complete"),
        (["start", "complete"], "start"),
        (["start", "complete"], "no-show"),
        (["start", "complete"], "cancel"),
        (["no-show"], "start"),
        (["no-show"], "cancel"),
        (["no-show"], "complete"),
        (["cancel"], "start"),
        (["cancel"], "cancel"),
        (["cancel"], "no-show"),
        (["cancel"], "complete"),
        ([], "complete"),
    ],
)
async def test_every_invalid_transition_is_a_422_naming_the_allowed(server, path, action):
    world = await program(server)
    session = await scheduled(world.coach, world, hours_from_now(72))
    url = f"{SESSIONS}/{session['id']}"
    for step in path:
        assert (await world.coach.client.post(f"{url}/{step}", json={})).status_code == 200
    before = (await world.coach.client.get(url)).json()["data"]
    response = await world.coach.client.post(f"{url}/{action}", json={})
    assert response.status_code == 422 and "allowed from" in response.json()["detail"]
    assert (await world.coach.client.get(url)).json()["data"] == before
    patch = await world.coach.client.patch(url, json={"title": "late"})
    if before["status"] != "scheduled":
        assert patch.status_code == 422


async def test_cancelling_this_and_following_on_the_last_occurrence_and_twice(server):
    world = await program(server)
    body = session_body(world, hours_from_now(72)) | {"recurrence": {"frequency": "weekly", "count": 3}}
    first = (await world.coach.client.post(SESSIONS, json=body)).json()["data"]
    listed = (
        await world.coach.client.get(SESSIONS, params={"series_id": first["series_id"], "sort": "starts_at"})
    ).json()["data"]
    last = listed[-1]
    scope = {"scope": "this_and_following"}
    assert (await world.coach.client.post(f"{SESSIONS}/{last['id']}/cancel", json=scope)).status_code == 200
    assert (await world.coach.client.post(f"{SESSIONS}/{last['id']}/cancel", json=scope)).status_code == 422
    middle = await world.coach.client.post(f"{SESSIONS}/{listed[1]['id']}/cancel", json=scope)
    assert middle.status_code == 200
    statuses = [
        item["status"]
        for item in (
            await world.coach.client.get(
                SESSIONS, params={"series_id": first["series_id"], "sort": "starts_at"}
            )
        ).json()["data"]
    ]
    assert statuses == ["scheduled", "cancelled", "cancelled"]


async def test_a_teacher_cannot_cancel_an_occurrence_moved_into_the_window_via_this_and_following(server):
    """Occurrences are edited alone: the coach moves the second occurrence to tomorrow
    morning (with a reason). The teacher may not cancel it directly (notice window), and
    must not be able to by cancelling the first occurrence "and following"."""
    world = await program(server)
    body = session_body(world, hours_from_now(24 * 20)) | {"recurrence": {"frequency": "weekly", "count": 3}}
    first = (await world.coach.client.post(SESSIONS, json=body)).json()["data"]
    listed = (
        await world.coach.client.get(SESSIONS, params={"series_id": first["series_id"], "sort": "starts_at"})
    ).json()["data"]
    soon = listed[1]
    moved = await world.coach.client.patch(
        f"{SESSIONS}/{soon['id']}", json={"starts_at": iso(hours_from_now(3)), "reason": "travel"}
    )
    assert moved.status_code == 200, moved.text
    assert (await world.teacher.client.post(f"{SESSIONS}/{soon['id']}/cancel", json={})).status_code == 422

    response = await world.teacher.client.post(
        f"{SESSIONS}/{first['id']}/cancel", json={"scope": "this_and_following"}
    )

    assert response.status_code == 422 and "24 hours" in response.json()["detail"]
    row = await CoachingSession.get(id=soon["id"])
    assert row.status == "scheduled"
    assert (await CoachingSession.get(id=first["id"])).status == "scheduled"


async def test_a_session_of_an_ended_mentorship_cannot_be_moved(server):
    world = await program(server)
    session = await scheduled(world.coach, world, hours_from_now(72))
    world.mentorship.status = "ended"
    await world.mentorship.save(update_fields=["status"])
    response = await world.teacher.client.patch(
        f"{SESSIONS}/{session['id']}", json={"starts_at": iso(hours_from_now(96))}
    )
    assert response.status_code == 422, response.text


async def test_every_mutation_is_audited_with_its_changed_fields_and_announced_to_its_audience(server):
    world = await program(server)
    listener = server.state.events.listen(world.organization.id)
    body = session_body(world, hours_from_now(72)) | {"recurrence": {"frequency": "weekly", "count": 3}}
    first = (await world.coach.client.post(SESSIONS, json=body)).json()["data"]
    path = f"{SESSIONS}/{first['id']}"
    await world.coach.client.patch(path, json={"ends_at": iso(hours_from_now(72) + timedelta(minutes=90))})
    await world.coach.client.patch(path, json={"location": "Room 9"})
    await world.coach.client.patch(path, json={"location": "Room 9"})  # the same value: nothing
    await world.coach.client.post(path + "/start")
    await world.coach.client.post(path + "/no-show")
    listed = (
        await world.coach.client.get(SESSIONS, params={"series_id": first["series_id"], "sort": "starts_at"})
    ).json()["data"]
    await world.coach.client.post(
        f"{SESSIONS}/{listed[1]['id']}/cancel", json={"scope": "this_and_following"}
    )

    rows = await AuditEvent.filter(organization_id=world.organization.id, action__startswith="session.")
    audits = sorted((row.action, row.target_id, sorted(row.changed_fields)) for row in rows)
    expected = [
        *(("session.scheduled", item["id"], ["ends_at", "starts_at"]) for item in listed),
        ("session.rescheduled", first["id"], ["ends_at"]),
        ("session.updated", first["id"], ["location"]),
        ("session.started", first["id"], ["started_at", "status"]),
        ("session.no_show", first["id"], ["status"]),
        ("session.cancelled", listed[1]["id"], ["cancelled_at", "status"]),
        ("session.cancelled", listed[2]["id"], ["cancelled_at", "status"]),
    ]
    assert audits == sorted(expected)
    heard = await heard_events(listener, len(expected))
    assert [event.type for event in heard] == [action for action, _, _ in expected]
    assert all(
        event.audience.participant_ids == {UUID(world.coach.id), UUID(world.teacher.id)} for event in heard
    )
