"""Series of sessions (SPEC §6): weekly or biweekly, at most 52, created whole or not at
all, local time kept across daylight-saving changes, each occurrence changed alone, and
"this and following" cancelled together."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from models import CoachingSession, CoachingSessionSeries
from tests.coaching.sessions_world import SESSIONS, hours_from_now, iso, program, schedule, scheduled

pytestmark = pytest.mark.many_sign_ins
PARIS = ZoneInfo("Europe/Paris")


def last_sunday_of_march_ahead() -> date:
    """The next spring-forward day in Europe (the last Sunday of March), at least a week away."""
    today = datetime.now(UTC).date()
    year = today.year if today < date(today.year, 3, 20) else today.year + 1
    day = date(year, 3, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


async def series(world, starts_at, *, frequency="weekly", count=4, **fields):  # type: ignore[no-untyped-def]
    return await schedule(
        world.coach, world, starts_at, recurrence={"frequency": frequency, "count": count}, **fields
    )


async def occurrences(world, series_id):  # type: ignore[no-untyped-def]
    response = await world.coach.client.get(SESSIONS, params={"series_id": series_id, "sort": "starts_at"})
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def test_a_weekly_series_keeps_its_local_time_across_daylight_saving(server):
    world = await program(server)
    change = last_sunday_of_march_ahead()
    # Tuesdays at 10:00 in Paris, two before the change and two after
    first_local = datetime.combine(change - timedelta(days=12), datetime.min.time(), PARIS).replace(hour=10)

    response = await series(world, first_local.astimezone(UTC), count=4, timezone="Europe/Paris")

    assert response.status_code == 201, response.text
    first = response.json()["data"]
    assert first["series_index"] == 0 and first["series_id"]
    found = await occurrences(world, first["series_id"])
    assert [item["series_index"] for item in found] == [0, 1, 2, 3]
    starts = [datetime.fromisoformat(item["starts_at"]) for item in found]
    assert [start.astimezone(PARIS).strftime("%H:%M") for start in starts] == ["10:00"] * 4
    assert [start.astimezone(UTC).hour for start in starts] == [9, 9, 8, 8]
    assert all(
        item["ends_at"] == iso(datetime.fromisoformat(item["starts_at"]) + timedelta(hours=1))
        for item in found
    )
    series_row = await CoachingSessionSeries.get(id=first["series_id"])
    assert (series_row.frequency, series_row.occurrences, series_row.timezone) == (
        "weekly",
        4,
        "Europe/Paris",
    )


async def test_a_biweekly_series_in_new_york_keeps_its_local_time_in_november(server):
    world = await program(server)
    new_york = ZoneInfo("America/New_York")
    today = datetime.now(UTC).date()
    year = today.year if today < date(today.year, 10, 1) else today.year + 1
    first_local = datetime(year, 10, 15, 9, 30, tzinfo=new_york)

    response = await series(
        world, first_local.astimezone(UTC), frequency="biweekly", count=3, timezone="America/New_York"
    )

    assert response.status_code == 201, response.text
    found = await occurrences(world, response.json()["data"]["series_id"])
    locals_ = [datetime.fromisoformat(item["starts_at"]).astimezone(new_york) for item in found]
    assert [(moment.hour, moment.minute) for moment in locals_] == [(9, 30)] * 3
    assert [(b - a).days for a, b in pairwise(locals_)] == [14, 14]
    assert {datetime.fromisoformat(item["starts_at"]).hour for item in found} == {13, 14}


async def test_52_plus_occurrences_is_refused(server):
    world = await program(server)
    response = await series(world, hours_from_now(30), count=53)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "recurrence.count"
    assert not await CoachingSession.filter(mentorship_id=world.mentorship.id).exists()


async def test_a_series_overlapping_anything_creates_nothing(server):
    world = await program(server)
    starts_at = hours_from_now(48)
    blocking = await scheduled(world.coach, world, starts_at + timedelta(days=14, minutes=30))

    response = await series(world, starts_at, count=5)

    assert response.status_code == 409
    assert response.json()["conflicting_session_id"] == blocking["id"]
    assert await CoachingSession.filter(mentorship_id=world.mentorship.id).count() == 1
    assert not await CoachingSessionSeries.filter(mentorship_id=world.mentorship.id).exists()


async def test_each_occurrence_is_changed_alone(server):
    world = await program(server)
    first = (await series(world, hours_from_now(48), count=3)).json()["data"]
    found = await occurrences(world, first["series_id"])

    response = await world.coach.client.patch(
        f"{SESSIONS}/{found[1]['id']}", json={"title": "Mid-term review"}
    )

    assert response.status_code == 200
    titles = [item["title"] for item in await occurrences(world, first["series_id"])]
    assert titles == ["Weekly check-in", "Mid-term review", "Weekly check-in"]


async def test_cancelling_this_and_following_keeps_the_earlier_occurrences(server):
    world = await program(server)
    first = (await series(world, hours_from_now(48), count=4)).json()["data"]
    found = await occurrences(world, first["series_id"])

    response = await world.coach.client.post(
        f"{SESSIONS}/{found[2]['id']}/cancel", json={"scope": "this_and_following", "reason": "Program ends"}
    )

    assert response.status_code == 200, response.text
    after = await occurrences(world, first["series_id"])
    assert [item["status"] for item in after] == ["scheduled", "scheduled", "cancelled", "cancelled"]
    assert after[3]["reason"] == "Program ends" and after[3]["sequence"] == 1


async def test_this_and_following_needs_a_series(server):
    world = await program(server)
    session = await scheduled(world.coach, world, hours_from_now(48))
    response = await world.coach.client.post(
        f"{SESSIONS}/{session['id']}/cancel", json={"scope": "this_and_following"}
    )
    assert response.status_code == 422
