"""GET /sessions (SPEC §6): what each person sees, the filters, the orders and the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.compiled_query import CompiledQuery
from models import OrganizationUser
from tests.coaching.sessions_world import (
    SESSIONS,
    acting_in,
    hours_from_now,
    iso,
    mentorship_between,
    program,
    scheduled,
)
from tests.factories import signed_in_user

pytestmark = pytest.mark.many_sign_ins


async def ids(person, **params):  # type: ignore[no-untyped-def]
    response = await person.client.get(SESSIONS, params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]


async def two_mentorships(server):  # type: ignore[no-untyped-def]
    """The coach with two teachers; the second teacher's session is not the first's to see."""
    world = await program(server)
    second_teacher = await signed_in_user(server)
    await OrganizationUser.create(
        organization_id=world.organization.id, user_id=second_teacher.id, role_in_organization="Teacher"
    )
    acting_in(second_teacher, world.organization)
    second = await mentorship_between(world.organization, world.coach, second_teacher)
    return world, second_teacher, second


async def test_each_person_lists_the_sessions_they_may_see(server):
    world, second_teacher, second = await two_mentorships(server)
    first = await scheduled(world.coach, world, hours_from_now(30))
    world.mentorship = second
    other = await scheduled(world.coach, world, hours_from_now(40))

    assert await ids(world.coach) == [other["id"], first["id"]]  # newest first
    assert await ids(world.teacher) == [first["id"]]
    assert await ids(second_teacher) == [other["id"]]
    assert await ids(world.manager) == [other["id"], first["id"]]
    response = await world.teacher.client.get(SESSIONS)
    assert response.json()["meta"] == {"total_count": 1, "limit": 50, "next_cursor": None}
    assert response.json()["data"][0]["starts_at"].endswith("Z")


async def test_filters_narrow_the_list(server):
    world, second_teacher, second = await two_mentorships(server)
    base = hours_from_now(30)
    early = await scheduled(world.coach, world, base)
    late = await scheduled(world.coach, world, base + timedelta(days=2))
    world.mentorship, first_mentorship = second, world.mentorship
    other = await scheduled(world.coach, world, base + timedelta(days=1))
    await world.coach.client.post(f"{SESSIONS}/{late['id']}/cancel", json={})

    assert await ids(world.coach, status="cancelled") == [late["id"]]
    assert await ids(world.coach, mentorship_id=str(first_mentorship.id)) == [late["id"], early["id"]]
    assert await ids(world.coach, participant_id=second_teacher.id) == [other["id"]]
    assert await ids(world.manager, participant_id=second_teacher.id) == [other["id"]]
    assert await ids(world.manager, participant_id=world.coach.id, sort="starts_at") == [
        early["id"],
        other["id"],
        late["id"],
    ]
    # overlapping [from, to): a session ending exactly at `from` is out, one running across it in
    window = {"from": iso(base + timedelta(minutes=30)), "to": iso(base + timedelta(days=1))}
    assert await ids(world.coach, **window) == [early["id"]]
    assert await ids(world.coach, **{"from": iso(base + timedelta(hours=1))}, sort="-starts_at") == [
        late["id"],
        other["id"],
    ]
    # the teacher asking for another participant's sessions sees only those shared with them
    assert await ids(world.teacher, participant_id=second_teacher.id) == []


@pytest.mark.parametrize(
    "params",
    [
        {"status": "finished"},
        {"from": "yesterday"},
        {"sort": "title"},
        {"participant_id": "me"},
        {"cursor": "x"},
    ],
)
async def test_a_bad_filter_is_a_400(server, params):
    world = await program(server)
    response = await world.coach.client.get(SESSIONS, params=params)
    assert response.status_code == 400


@pytest.mark.parametrize("sort", ["-created_at", "starts_at", "-starts_at"])
async def test_cursor_pages_walk_the_whole_list_once(server, sort):
    world = await program(server)
    base = hours_from_now(30)
    made = [await scheduled(world.coach, world, base + timedelta(hours=2 * n)) for n in range(7)]
    for person in (world.coach, world.manager):
        seen, cursor = [], None
        while True:
            params = {"limit": 3, "sort": sort, **({"cursor": cursor} if cursor else {})}
            page = (await person.client.get(SESSIONS, params=params)).json()
            assert page["meta"]["total_count"] == 7
            seen += [item["id"] for item in page["data"]]
            cursor = page["meta"]["next_cursor"]
            if cursor is None:
                break
        assert sorted(seen) == sorted(item["id"] for item in made) and len(seen) == 7
        if sort == "starts_at":
            assert seen == [item["id"] for item in made]
    offset = await ids(world.coach, offset=2, limit=2)
    assert offset == [made[4]["id"], made[3]["id"]]


async def test_a_coachs_page_is_a_constant_number_of_queries(server, monkeypatch):
    world = await program(server)
    base = hours_from_now(30)
    for n in range(12):
        await scheduled(world.coach, world, base + timedelta(hours=2 * n))
    original = CompiledQuery.fetch
    queries: list[int] = []

    async def counting(self, **values):  # type: ignore[no-untyped-def]
        rows = await original(self, **values)
        queries.append(len(rows))
        return rows

    monkeypatch.setattr(CompiledQuery, "fetch", counting)
    await world.coach.client.get(SESSIONS, params={"limit": 5})
    # two bounded counts (coach's and teacher's halves) and two pages of at most limit + 1 rows
    assert len(queries) == 4 and max(queries) <= 6
