"""GET /sessions (SPEC §6): what each person sees, the filters, the orders and the pages."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import timedelta

import pytest
from tortoise import connections

from app.coaching.sessions.listing import SessionLists
from app.core.unit_of_work import CONNECTION
from models import OrganizationUser
from tests.coaching.session_rows import open_mentorship, session_of
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


@pytest.fixture
async def small_total_server(make_settings, migrated_database, redis_url, start_app):  # type: ignore[no-untyped-def]
    """Totals exact up to 4 sessions, a longer list's count cached for the test's length."""
    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        pagination={"exact_count_limit": 4, "count_cache_seconds": 600},
    )
    async with start_app(settings) as live:
        yield live


@pytest.fixture
def list_statements(monkeypatch):  # type: ignore[no-untyped-def]
    """The SQL statements of each GET /sessions page, as the list sends them (every
    statement, Tortoise's or a compiled query's, takes the connection once for itself)."""
    tally: ContextVar[list[int] | None] = ContextVar("tally", default=None)
    pages: list[int] = []
    client = type(connections.get(CONNECTION))
    acquire, page = client.acquire_connection, SessionLists.page

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        statements = tally.get()
        if statements is not None:
            statements[0] += 1
        return acquire(self, *args, **kwargs)

    async def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        statements = [0]
        tally.set(statements)
        try:
            return await page(self, *args, **kwargs)
        finally:
            pages.append(statements[0])

    monkeypatch.setattr(client, "acquire_connection", counted)
    monkeypatch.setattr(SessionLists, "page", counting)
    return pages


async def page_of(person, **params):  # type: ignore[no-untyped-def]
    response = await person.client.get(SESSIONS, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def walk(person, limit: int) -> tuple[list[str], set[int]]:  # type: ignore[no-untyped-def]
    """Every page of the person's list: the ids in order, and the totals the pages gave."""
    seen, totals, cursor = [], set(), None
    while True:
        page = await page_of(person, limit=limit, **({"cursor": cursor} if cursor else {}))
        seen += [item["id"] for item in page["data"]]
        totals.add(page["meta"]["total_count"])
        cursor = page["meta"]["next_cursor"]
        if cursor is None:
            return seen, totals


async def test_a_page_is_one_statement_whatever_the_lists_length(small_total_server, list_statements):
    world = await program(small_total_server)
    # the coach is also the teacher of a mentorship with the Manager: their list is the
    # union of two halves (coach's, teacher's), interleaved in time
    coached_by_manager = await open_mentorship(world.organization, str(world.manager.id), str(world.coach.id))
    base = hours_from_now(30)

    async def as_teacher(n: int) -> str:
        return str((await session_of(coached_by_manager, starts_at=base + timedelta(hours=2 * n))).id)

    made = [(await scheduled(world.coach, world, base))["id"], await as_teacher(1)]
    made.append((await scheduled(world.coach, world, base + timedelta(hours=4)))["id"])
    seen_by = [
        (world.coach, made[::-1]),
        (world.teacher, [made[2], made[0]]),
        (world.manager, made[::-1]),  # all the organization's: the Manager lists every session
    ]
    # within the exact limit: each page brings its exact total
    for person, expected in seen_by:
        assert await walk(person, limit=2) == (expected, {len(expected)})
    assert list_statements == [1] * 5  # two pages each, but one for the teacher
    # an empty page (a filter matching nothing) still learns its total
    empty = await page_of(world.coach, status="cancelled")
    assert empty["data"] == [] and empty["meta"]["total_count"] == 0
    assert list_statements[-1] == 1

    for n in range(3, 7):
        made.append(
            await as_teacher(n)
            if n % 2
            else (await scheduled(world.coach, world, base + timedelta(hours=2 * n)))["id"]
        )
    seen_by = [
        (world.coach, made[::-1]),
        (world.teacher, [made[n] for n in (6, 4, 2, 0)]),
        (world.manager, made[::-1]),
    ]
    list_statements.clear()
    # above the limit (4): the first page counts the list in full once, then it is cached
    for person, expected in seen_by:
        assert await walk(person, limit=3) == (expected, {len(expected)})
    # the teacher's 4 sessions are counted exactly, on every page
    assert list_statements == [2, 1, 1] + [1, 1] + [2, 1, 1]
    # an offset page (one OR query for a participant) of a list not counted yet
    skipped = await page_of(world.coach, mentorship_id=str(coached_by_manager.id), limit=2, offset=2)
    assert [item["id"] for item in skipped["data"]] == [made[1]] and skipped["meta"]["total_count"] == 3
    assert list_statements[-1] == 1
