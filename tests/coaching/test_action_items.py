"""SPEC §6 action items: tasks of a mentorship assigned to a participant, optionally tied to
one of its sessions and goals, seen like the mentorship, cancelled rather than deleted."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models import AuditEvent, CoachingSession
from tests.coaching.mentorship_support import (
    ACTION_ITEMS,
    MENTORSHIPS,
    Program,
    goal_of,
    heard,
    listening,
    mentorship_of,
    person_in,
    program,
    reaches,
    without_request_id,
)
from tests.factories import organization_with, signed_in_user
from tests.problems import assert_problem

pytestmark = pytest.mark.many_sign_ins


def ids(response) -> set[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return {row["id"] for row in response.json()["data"]}


async def session_in(organization_id: Any, mentorship: dict[str, Any]) -> str:
    """A coaching session row of the mentorship (its scheduling has its own tests)."""
    starts_at = datetime.now(UTC) + timedelta(days=3)
    session = await CoachingSession.create(
        organization_id=organization_id,
        mentorship_id=mentorship["id"],
        coach_id=mentorship["coach_id"],
        teacher_id=mentorship["teacher_id"],
        title="Weekly",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        timezone="Europe/Paris",
    )
    return str(session.id)


async def item_of(author, mentorship: dict[str, Any], **fields: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    body = {"mentorship_id": mentorship["id"], "title": "Send the reading list", **fields}
    body.setdefault("assignee_id", mentorship["teacher_id"])
    response = await author.client.post(ACTION_ITEMS, json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


async def second_mentorship(server, p: Program) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    coach = await person_in(server, p.organization, "Coach")
    teacher = await person_in(server, p.organization, "Teacher")
    return await mentorship_of(p, coach_id=coach.id, teacher_id=teacher.id)


async def test_a_participant_adds_an_action_item_audited_and_announced(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    session_id = await session_in(p.organization.id, mentorship)
    goal = await goal_of(p.teacher, mentorship)
    listener = await listening(server, p.organization.id)

    response = await p.coach.client.post(
        ACTION_ITEMS,
        json={
            "mentorship_id": mentorship["id"],
            "title": "Film one lesson",
            "assignee_id": p.teacher.id,
            "due_at": "2027-01-04T10:00:00+02:00",
            "session_id": session_id,
            "goal_id": goal["id"],
        },
    )

    assert response.status_code == 201, response.text
    item = response.json()["data"]
    assert response.headers["location"] == f"{ACTION_ITEMS}/{item['id']}"
    assert item["due_at"] == "2027-01-04T08:00:00Z"
    assert (item["status"], item["session_id"], item["goal_id"]) == ("open", session_id, goal["id"])
    assert (item["assignee_id"], item["created_by_id"]) == (p.teacher.id, p.coach.id)
    audit = await AuditEvent.get(action="action_item.created")
    assert (audit.target_type, audit.target_id) == ("action_item", item["id"])
    [event] = await heard(listener, 1)
    assert (event.type, dict(event.data)) == ("action_item.created", item)
    assert reaches(event, p.teacher, "Teacher") and reaches(event, p.manager, "Manager")
    assert not reaches(event, await person_in(server, p.organization, "Coach"), "Coach")


async def test_the_assignee_must_be_a_participant(server):
    p = await program(server)
    mentorship = await mentorship_of(p)

    response = await p.coach.client.post(
        ACTION_ITEMS,
        json={"mentorship_id": mentorship["id"], "title": "Delegate", "assignee_id": p.manager.id},
    )

    assert assert_problem(response, 422, "UNPROCESSABLE")["errors"][0]["field"] == "assignee_id"


async def test_foreign_session_id_on_action_item_is_refused(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    elsewhere = await organization_with()
    foreign_session = await session_in(elsewhere.id, {**mentorship, "id": str(uuid.uuid4())})
    other_mentorships_session = await session_in(p.organization.id, await second_mentorship(server, p))

    answers = [
        await p.coach.client.post(
            ACTION_ITEMS,
            json={
                "mentorship_id": mentorship["id"],
                "title": "Tie it",
                "assignee_id": p.coach.id,
                "session_id": session_id,
            },
        )
        for session_id in (foreign_session, other_mentorships_session, str(uuid.uuid4()))
    ]

    bodies = [without_request_id(assert_problem(answer, 422, "UNPROCESSABLE")) for answer in answers]
    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0]["errors"][0]["field"] == "session_id"


async def test_a_goal_of_another_mentorship_or_hidden_from_me_is_refused_alike(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    others_goal = await goal_of(p.manager, await second_mentorship(server, p))
    private_goal = await goal_of(p.teacher, mentorship, visibility="private")

    answers = [
        await p.coach.client.post(
            ACTION_ITEMS,
            json={
                "mentorship_id": mentorship["id"],
                "title": "Tie it",
                "assignee_id": p.coach.id,
                "goal_id": goal,
            },
        )
        for goal in (others_goal["id"], private_goal["id"], str(uuid.uuid4()))
    ]
    by_owner = await item_of(p.teacher, mentorship, goal_id=private_goal["id"])

    bodies = [without_request_id(assert_problem(answer, 422, "UNPROCESSABLE")) for answer in answers]
    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0]["errors"][0]["field"] == "goal_id"
    assert by_owner["goal_id"] == private_goal["id"]


async def test_done_cancelled_and_reassigned(server):
    p = await program(server)
    item = await item_of(p.coach, await mentorship_of(p))
    path = f"{ACTION_ITEMS}/{item['id']}"
    listener = await listening(server, p.organization.id)

    done = (await p.teacher.client.patch(path, json={"status": "done"})).json()["data"]
    reopened = (await p.teacher.client.patch(path, json={"status": "open", "assignee_id": p.coach.id})).json()
    to_stranger = await p.coach.client.patch(path, json={"assignee_id": p.manager.id})
    cancelled = (await p.manager.client.patch(path, json={"status": "cancelled", "due_at": None})).json()
    no_delete = await p.coach.client.delete(path)

    assert done["status"] == "done" and done["completed_at"] is not None
    assert (reopened["data"]["status"], reopened["data"]["completed_at"]) == ("open", None)
    assert reopened["data"]["assignee_id"] == p.coach.id
    assert assert_problem(to_stranger, 422, "UNPROCESSABLE")["errors"][0]["field"] == "assignee_id"
    assert cancelled["data"]["status"] == "cancelled"
    assert no_delete.status_code == 405
    assert await AuditEvent.filter(action="action_item.updated", target_id=item["id"]).count() == 3
    assert [event.type for event in await heard(listener, 3)] == ["action_item.updated"] * 3


async def test_action_items_are_seen_like_their_mentorship(server):
    p = await program(server)
    mine = await item_of(p.coach, await mentorship_of(p))
    theirs = await item_of(p.manager, await second_mentorship(server, p))
    bystander = await person_in(server, p.organization, "Teacher")

    assert ids(await p.coach.client.get(ACTION_ITEMS)) == {mine["id"]}
    assert ids(await p.teacher.client.get(ACTION_ITEMS)) == {mine["id"]}
    assert ids(await bystander.client.get(ACTION_ITEMS)) == set()
    assert ids(await p.manager.client.get(ACTION_ITEMS)) == {mine["id"], theirs["id"]}
    hidden = await p.coach.client.get(f"{ACTION_ITEMS}/{theirs['id']}")
    missing = await p.coach.client.get(f"{ACTION_ITEMS}/{uuid.uuid4()}")
    assert without_request_id(assert_problem(hidden, 404, "NOT_FOUND")) == without_request_id(missing.json())
    changed = await p.coach.client.patch(f"{ACTION_ITEMS}/{theirs['id']}", json={"status": "done"})
    assert_problem(changed, 404, "NOT_FOUND")


async def test_action_items_filter_by_each_field_and_page_by_cursor(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    session_id = await session_in(p.organization.id, mentorship)
    goal = await goal_of(p.teacher, mentorship)
    plain = await item_of(p.coach, mentorship)
    of_session = await item_of(p.coach, mentorship, session_id=session_id, assignee_id=p.coach.id)
    of_goal = await item_of(p.coach, mentorship, goal_id=goal["id"])
    await p.coach.client.patch(f"{ACTION_ITEMS}/{of_goal['id']}", json={"status": "done"})

    def listed(**params: str):  # type: ignore[no-untyped-def]
        return p.teacher.client.get(ACTION_ITEMS, params=params)

    assert ids(await listed(session_id=session_id)) == {of_session["id"]}
    assert ids(await listed(goal_id=goal["id"])) == {of_goal["id"]}
    assert ids(await listed(status="done")) == {of_goal["id"]}
    assert ids(await listed(assignee_id=p.coach.id)) == {of_session["id"]}
    assert ids(await listed(mentorship_id=mentorship["id"])) == {plain["id"], of_session["id"], of_goal["id"]}
    first = await listed(limit="2")
    second = await listed(limit="2", cursor=first.json()["meta"]["next_cursor"])
    assert ids(first) | ids(second) == {plain["id"], of_session["id"], of_goal["id"]}
    assert first.json()["meta"]["total_count"] == 3
    assert_problem(await listed(status="archived"), 400, "VALIDATION_ERROR")


async def test_after_the_mentorship_ends_its_action_items_are_history(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    item = await item_of(p.coach, mentorship)
    await p.coach.client.patch(
        f"{MENTORSHIPS}/{mentorship['id']}", json={"status": "ended", "end_reason": "Done"}
    )

    read = await p.coach.client.get(f"{ACTION_ITEMS}/{item['id']}")
    change = await p.coach.client.patch(f"{ACTION_ITEMS}/{item['id']}", json={"status": "done"})
    add = await p.coach.client.post(
        ACTION_ITEMS, json={"mentorship_id": mentorship["id"], "title": "Late", "assignee_id": p.coach.id}
    )

    assert read.status_code == 200
    assert_problem(change, 422, "UNPROCESSABLE")
    assert_problem(add, 422, "UNPROCESSABLE")


async def test_a_due_time_without_an_offset_is_refused(server):
    p = await program(server)
    mentorship = await mentorship_of(p)

    response = await p.coach.client.post(
        ACTION_ITEMS,
        json={
            "mentorship_id": mentorship["id"],
            "title": "When?",
            "assignee_id": p.coach.id,
            "due_at": "2027-01-04T10:00:00",
        },
    )

    assert assert_problem(response, 400, "VALIDATION_ERROR")["errors"][0]["field"] == "due_at"


async def test_an_outsider_of_the_organization_cannot_reach_its_action_items(server):
    p = await program(server)
    item = await item_of(p.coach, await mentorship_of(p))
    outsider = await signed_in_user(server)
    await organization_with((outsider.id, "OrganizationAdmin"))
    outsider.client.headers["X-Organization-Id"] = str(p.organization.id)

    assert_problem(await outsider.client.get(f"{ACTION_ITEMS}/{item['id']}"), 404, "NOT_FOUND")
