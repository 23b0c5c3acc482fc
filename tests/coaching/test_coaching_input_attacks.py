"""Red-team attacks on the input and the consistency of mentorships, goals and action items
(SPEC §1, §6): forged fields, broken values, tampered cursors, races with the end of a
mentorship, audit rows."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from tortoise.transactions import in_transaction

from models import AuditEvent, Mentorship
from tests.coaching.mentorship_support import (
    ACTION_ITEMS,
    GOALS,
    MENTORSHIPS,
    goal_of,
    item_of,
    mentorship_of,
    person_in,
    program,
)
from tests.problems import assert_problem

pytestmark = pytest.mark.many_sign_ins


# -- input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "due_at", ["0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00", "9999-12-31T23:59:59-23:59"]
)
async def test_due_at_beyond_the_calendar_in_utc_is_refused_not_a_500(server, due_at):
    p = await program(server)
    mentorship = await mentorship_of(p)

    created = await p.coach.client.post(
        ACTION_ITEMS,
        json={"mentorship_id": mentorship["id"], "title": "x", "assignee_id": p.teacher.id, "due_at": due_at},
    )
    assert_problem(created, 400, "VALIDATION_ERROR")

    item = await item_of(p.coach, mentorship)
    changed = await p.coach.client.patch(f"{ACTION_ITEMS}/{item['id']}", json={"due_at": due_at})
    assert_problem(changed, 400, "VALIDATION_ERROR")


async def test_wrong_types_and_huge_or_hidden_text_are_400_never_500(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    goal = await goal_of(p.teacher, mentorship)
    bodies = [
        {"mentorship_id": mentorship["id"], "title": "x" * 201},
        {"mentorship_id": mentorship["id"], "title": "a\u202egoal"},
        {"mentorship_id": mentorship["id"], "title": "a\x00goal"},
        {"mentorship_id": mentorship["id"], "title": "ok", "description": "d" * 10_001},
        {"mentorship_id": mentorship["id"], "title": "ok", "description": "a\x00b"},
        {"mentorship_id": mentorship["id"], "title": "ok", "progress": 101},
        {"mentorship_id": mentorship["id"], "title": "ok", "progress": -1},
        {"mentorship_id": mentorship["id"], "title": "ok", "progress": "lots"},
        {"mentorship_id": mentorship["id"], "title": "ok", "target_date": "31/12/2027"},
        {"mentorship_id": mentorship["id"], "title": "ok", "target_date": "2027-02-30"},
        {"mentorship_id": mentorship["id"], "title": ["list"]},
        {"mentorship_id": "not-a-uuid", "title": "ok"},
        {"mentorship_id": mentorship["id"], "title": "ok", "visibility": "public"},
        {"mentorship_id": mentorship["id"], "title": "ok", "owner_id": p.coach.id},
        {"mentorship_id": mentorship["id"], "title": "ok", "status": "achieved"},
    ]
    for body in bodies:
        response = await p.teacher.client.post(GOALS, json=body)
        assert response.status_code == 400, (body, response.text)
    for body in [
        {"owner_id": p.coach.id},
        {"mentorship_id": str(uuid.uuid4())},
        {"created_by_id": p.coach.id},
        {"title": None},
        {"progress": None},
        {"progress": 100.5},
        {"status": "deleted"},
    ]:
        response = await p.teacher.client.patch(f"{GOALS}/{goal['id']}", json=body)
        assert response.status_code == 400, (body, response.text)
    # a lone surrogate cannot be stored anywhere
    raw = b'{"mentorship_id": "%s", "title": "ok", "description": "\\ud800"}' % mentorship["id"].encode()
    response = await p.teacher.client.post(GOALS, content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text


async def test_mass_assignment_on_mentorships_and_action_items_is_refused(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    other_coach = await person_in(server, p.organization, "Coach")
    item = await item_of(p.coach, mentorship)
    for body in [
        {"status": "paused", "coach_id": other_coach.id},
        {"status": "paused", "teacher_id": other_coach.id},
        {"status": "paused", "organization_id": str(uuid.uuid4())},
        {"status": "paused", "proposed_by_id": p.teacher.id},
        {"status": "paused", "end_reason": "not ending"},
        {"status": "ended"},
        {"status": "ended", "end_reason": ""},
        {"status": "ended", "end_reason": "x" * 501},
        {"status": "PAUSED"},
    ]:
        response = await p.manager.client.patch(f"{MENTORSHIPS}/{mentorship['id']}", json=body)
        assert response.status_code == 400, (body, response.text)
    for body in [
        {"mentorship_id": str(uuid.uuid4())},
        {"session_id": str(uuid.uuid4())},
        {"goal_id": str(uuid.uuid4())},
        {"completed_at": "2027-01-01T00:00:00Z"},
        {"assignee_id": None},
        {"due_at": "2027-01-04T10:00:00"},
    ]:
        response = await p.coach.client.patch(f"{ACTION_ITEMS}/{item['id']}", json=body)
        assert response.status_code == 400, (body, response.text)
    assert (await Mentorship.get(id=mentorship["id"])).coach_id == uuid.UUID(p.coach.id)


# -- pagination ---------------------------------------------------------------------


async def test_cursor_of_another_list_filter_or_person_is_refused(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    for _ in range(3):
        await goal_of(p.teacher, mentorship)
    first = await p.teacher.client.get(GOALS, params={"limit": 1})
    cursor = first.json()["meta"]["next_cursor"]
    assert cursor
    for client, path, params in (
        (p.teacher.client, GOALS, {"cursor": cursor, "status": "active"}),
        (p.coach.client, GOALS, {"cursor": cursor}),
        (p.teacher.client, ACTION_ITEMS, {"cursor": cursor}),
        (p.teacher.client, MENTORSHIPS, {"cursor": cursor}),
        (p.teacher.client, GOALS, {"cursor": cursor[:-2] + "xx"}),
        (p.teacher.client, GOALS, {"cursor": cursor, "offset": 1}),
        (p.teacher.client, GOALS, {"limit": 0}),
        (p.teacher.client, GOALS, {"limit": 100000}),
        (p.teacher.client, GOALS, {"limit": "ten"}),
        (p.teacher.client, GOALS, {"offset": -1}),
        (p.teacher.client, GOALS, {"owner_id": "me"}),
        (p.teacher.client, GOALS, {"unknown": "1"}),
        (p.teacher.client, ACTION_ITEMS, {"due_at": "x"}),
        (p.teacher.client, MENTORSHIPS, {"status": "all"}),
    ):
        response = await client.get(path, params=params)
        assert response.status_code == 400, (path, params, response.text)


# -- races with the end of a mentorship (PostgreSQL: row locks) -----------------------


async def test_writing_goals_and_action_items_while_the_mentorship_is_being_ended_is_refused(server):
    """The end holds the mentorship's row lock (as PATCH does) while a goal is set, one is
    edited and an action item added: once the end commits, each sees `ended` (422); none
    lands in a mentorship that has ended."""
    if server.state.settings.database.dialect != "postgres":
        pytest.skip("row locks: SQLite serializes writes")
    p = await program(server)
    mentorship = await mentorship_of(p)
    goal = await goal_of(p.teacher, mentorship)
    item = await item_of(p.coach, mentorship)

    async with in_transaction():
        row = await Mentorship.filter(id=mentorship["id"]).select_for_update().get()
        row.status = "ended"
        await row.save(update_fields=["status"])
        writes = [
            asyncio.ensure_future(
                p.teacher.client.post(GOALS, json={"mentorship_id": row.id.hex, "title": "x"})
            ),
            asyncio.ensure_future(p.teacher.client.patch(f"{GOALS}/{goal['id']}", json={"progress": 50})),
            asyncio.ensure_future(
                p.coach.client.post(
                    ACTION_ITEMS, json={"mentorship_id": row.id.hex, "title": "x", "assignee_id": p.coach.id}
                )
            ),
            asyncio.ensure_future(
                p.coach.client.patch(f"{ACTION_ITEMS}/{item['id']}", json={"status": "done"})
            ),
        ]
        await asyncio.sleep(0.5)
    responses = await asyncio.gather(*writes)

    assert [response.status_code for response in responses] == [422] * 4, [r.text for r in responses]


# -- audit ----------------------------------------------------------------------------


async def changed_fields(target_id: str) -> list[list[str]]:
    rows = await AuditEvent.filter(target_id=target_id).order_by("created_at")
    return [sorted(row.changed_fields) for row in rows]


async def test_audit_rows_name_only_the_fields_that_changed(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    item = await item_of(p.coach, mentorship)
    goal = await goal_of(p.teacher, mentorship)
    item_path, goal_path = f"{ACTION_ITEMS}/{item['id']}", f"{GOALS}/{goal['id']}"

    for body in ({"status": "cancelled"}, {"status": "done"}, {"status": "open"}):
        assert (await p.coach.client.patch(item_path, json=body)).status_code == 200
    for body in ({"status": "achieved"}, {"status": "active"}, {"status": "archived"}, {"status": "active"}):
        assert (await p.teacher.client.patch(goal_path, json=body)).status_code == 200

    assert (await changed_fields(item["id"]))[1:] == [
        ["status"],  # open → cancelled: completed_at stays null
        ["completed_at", "status"],
        ["completed_at", "status"],
    ]
    assert (await changed_fields(goal["id"]))[1:] == [
        ["achieved_at", "status"],
        ["achieved_at", "status"],  # archived_at was null and stays so
        ["archived_at", "status"],
        ["archived_at", "status"],
    ]


async def test_methods_a_route_does_not_have_are_405_not_500(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    item = await item_of(p.coach, mentorship)
    goal = await goal_of(p.teacher, mentorship)
    for method, path in (
        ("DELETE", f"{MENTORSHIPS}/{mentorship['id']}"),
        ("PUT", f"{MENTORSHIPS}/{mentorship['id']}"),
        ("DELETE", f"{ACTION_ITEMS}/{item['id']}"),
        ("PUT", f"{GOALS}/{goal['id']}"),
        ("POST", f"{GOALS}/{goal['id']}"),
    ):
        response = await p.manager.client.request(method, path, json={})
        assert response.status_code == 405, (method, path, response.text)
