"""SPEC §6 goals: owned by the teacher of a mentorship, written by its participants (or a
Manager), read as their visibility allows, archived rather than deleted."""

from __future__ import annotations

import uuid

import pytest

from models import AuditEvent
from tests.coaching.mentorship_support import (
    GOALS,
    MENTORSHIPS,
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


async def test_the_teacher_sets_a_goal_they_own_audited_and_announced(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    listener = await listening(server, p.organization.id)

    response = await p.teacher.client.post(
        GOALS,
        json={
            "mentorship_id": mentorship["id"],
            "title": "Plan lessons a week ahead",
            "description": "Every Friday.\nWith a checklist.",
            "target_date": "2027-06-30",
            "progress": 10,
        },
    )

    assert response.status_code == 201, response.text
    goal = response.json()["data"]
    assert response.headers["location"] == f"{GOALS}/{goal['id']}"
    assert (goal["owner_id"], goal["created_by_id"]) == (p.teacher.id, p.teacher.id)
    assert (goal["status"], goal["visibility"], goal["progress"], goal["target_date"]) == (
        "active",
        "participants",
        10,
        "2027-06-30",
    )
    audit = await AuditEvent.get(action="goal.created")
    assert (audit.target_type, audit.target_id, str(audit.actor_id)) == ("goal", goal["id"], p.teacher.id)
    [event] = await heard(listener, 1)
    assert (event.type, dict(event.data)) == ("goal.created", goal)
    assert reaches(event, p.coach, "Coach")
    assert not reaches(event, p.manager, "Manager")  # participants only


async def test_a_coach_or_a_manager_sets_a_goal_owned_by_the_teacher(server):
    p = await program(server)
    mentorship = await mentorship_of(p)

    by_coach = await goal_of(p.coach, mentorship)
    by_manager = await goal_of(p.manager, mentorship, visibility="organization")

    assert (by_coach["owner_id"], by_coach["created_by_id"]) == (p.teacher.id, p.coach.id)
    assert (by_manager["owner_id"], by_manager["created_by_id"]) == (p.teacher.id, p.manager.id)


async def test_a_goal_needs_an_active_or_paused_mentorship(server):
    p = await program(server)
    proposed = await p.coach.client.post(
        MENTORSHIPS, json={"coach_id": p.coach.id, "teacher_id": p.teacher.id}
    )
    pending_id = proposed.json()["data"]["id"]

    on_pending = await p.coach.client.post(GOALS, json={"mentorship_id": pending_id, "title": "Early"})
    await p.teacher.client.patch(f"{MENTORSHIPS}/{pending_id}", json={"status": "active"})
    await p.teacher.client.patch(f"{MENTORSHIPS}/{pending_id}", json={"status": "paused"})
    on_paused = await p.coach.client.post(GOALS, json={"mentorship_id": pending_id, "title": "Paused"})
    await p.teacher.client.patch(
        f"{MENTORSHIPS}/{pending_id}", json={"status": "ended", "end_reason": "Done"}
    )
    on_ended = await p.teacher.client.post(GOALS, json={"mentorship_id": pending_id, "title": "Late"})

    assert "pending" in assert_problem(on_pending, 422, "UNPROCESSABLE")["detail"]
    assert on_paused.status_code == 201, on_paused.text
    assert "ended" in assert_problem(on_ended, 422, "UNPROCESSABLE")["detail"]


async def test_a_goal_in_a_mentorship_of_another_organization_or_hidden_is_refused_alike(server):
    p = await program(server)
    outsider = await signed_in_user(server)
    elsewhere = await organization_with((outsider.id, "Manager"))
    other_coach = await person_in(server, elsewhere, "Coach")
    other_teacher = await person_in(server, elsewhere, "Teacher")
    outsider.client.headers["X-Organization-Id"] = str(elsewhere.id)
    foreign = await outsider.client.post(
        MENTORSHIPS, json={"coach_id": other_coach.id, "teacher_id": other_teacher.id}
    )
    someone_elses = await mentorship_of(
        p,
        coach_id=(await person_in(server, p.organization, "Coach")).id,
        teacher_id=(await person_in(server, p.organization, "Teacher")).id,
    )

    answers = [
        await p.coach.client.post(GOALS, json={"mentorship_id": mentorship_id, "title": "Sneak"})
        for mentorship_id in (foreign.json()["data"]["id"], someone_elses["id"], str(uuid.uuid4()))
    ]

    bodies = [without_request_id(assert_problem(answer, 422, "UNPROCESSABLE")) for answer in answers]
    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0]["errors"][0]["field"] == "mentorship_id"


async def test_progress_outside_0_to_100_is_refused(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    goal = await goal_of(p.teacher, mentorship)

    too_much = await p.teacher.client.post(
        GOALS, json={"mentorship_id": mentorship["id"], "title": "Over", "progress": 101}
    )
    negative = await p.teacher.client.patch(f"{GOALS}/{goal['id']}", json={"progress": -1})
    null_title = await p.teacher.client.patch(f"{GOALS}/{goal['id']}", json={"title": None})

    assert assert_problem(too_much, 400, "VALIDATION_ERROR")["errors"][0]["field"] == "progress"
    assert assert_problem(negative, 400, "VALIDATION_ERROR")["errors"][0]["field"] == "progress"
    assert_problem(null_title, 400, "VALIDATION_ERROR")


async def test_participants_edit_and_only_the_owner_changes_the_visibility(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    goal = await goal_of(p.coach, mentorship, description="To clear")
    path = f"{GOALS}/{goal['id']}"
    listener = await listening(server, p.organization.id)

    edited = await p.coach.client.patch(path, json={"title": "Sharper", "progress": 40, "description": None})
    by_coach = await p.coach.client.patch(path, json={"visibility": "organization"})
    same_visibility = await p.coach.client.patch(path, json={"visibility": "participants"})
    by_owner = await p.teacher.client.patch(path, json={"visibility": "organization"})

    assert edited.status_code == 200, edited.text
    data = edited.json()["data"]
    assert (data["title"], data["progress"], data["description"]) == ("Sharper", 40, None)
    assert_problem(by_coach, 403, "FORBIDDEN")
    assert same_visibility.status_code == 200
    assert by_owner.json()["data"]["visibility"] == "organization"
    audits = await AuditEvent.filter(action="goal.updated").order_by("created_at")
    assert sorted(audits[0].changed_fields) == ["description", "progress", "title"]
    assert audits[1].changed_fields == ["visibility"]
    assert len(audits) == 2  # nothing changed, nothing recorded
    events = await heard(listener, 2)
    assert [event.type for event in events] == ["goal.updated", "goal.updated"]
    assert reaches(events[1], p.manager, "Manager")  # organization now


async def test_achieving_and_reopening_a_goal_keeps_its_times(server):
    p = await program(server)
    goal = await goal_of(p.teacher, await mentorship_of(p))
    path = f"{GOALS}/{goal['id']}"

    achieved = (await p.teacher.client.patch(path, json={"status": "achieved", "progress": 100})).json()[
        "data"
    ]
    reopened = (await p.teacher.client.patch(path, json={"status": "active"})).json()["data"]

    assert achieved["status"] == "achieved" and achieved["achieved_at"] is not None
    assert (reopened["status"], reopened["achieved_at"]) == ("active", None)


async def test_deleting_a_goal_archives_it(server):
    p = await program(server)
    goal = await goal_of(p.teacher, await mentorship_of(p))
    path = f"{GOALS}/{goal['id']}"
    listener = await listening(server, p.organization.id)

    archived = await p.coach.client.delete(path)
    again = await p.coach.client.delete(path)

    assert archived.status_code == 200, archived.text
    data = archived.json()["data"]
    assert (data["status"], data["id"]) == ("archived", goal["id"])
    assert data["archived_at"] is not None
    assert again.json()["data"] == data
    assert (await p.teacher.client.get(path)).json()["data"]["status"] == "archived"
    assert ids(await p.teacher.client.get(GOALS, params={"status": "archived"})) == {goal["id"]}
    assert await AuditEvent.filter(action="goal.archived", target_id=goal["id"]).count() == 1
    assert [event.type for event in await heard(listener, 1)] == ["goal.archived"]


async def test_a_manager_who_is_not_a_participant_cannot_read_a_participants_goal(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    listener = await listening(server, p.organization.id)
    hidden = await goal_of(p.teacher, mentorship)
    shown = await goal_of(p.teacher, mentorship, visibility="organization")
    hidden_event, shown_event = await heard(listener, 2)

    read_hidden = await p.manager.client.get(f"{GOALS}/{hidden['id']}")
    missing = await p.manager.client.get(f"{GOALS}/{uuid.uuid4()}")
    edit_hidden = await p.manager.client.patch(f"{GOALS}/{hidden['id']}", json={"title": "Mine now"})

    assert without_request_id(assert_problem(read_hidden, 404, "NOT_FOUND")) == without_request_id(
        missing.json()
    )
    assert_problem(edit_hidden, 404, "NOT_FOUND")
    assert (await p.manager.client.get(f"{GOALS}/{shown['id']}")).status_code == 200
    assert ids(await p.manager.client.get(GOALS)) == {shown["id"]}
    assert not reaches(hidden_event, p.manager, "Manager")
    assert reaches(shown_event, p.manager, "Manager")


async def test_a_private_goal_is_its_owners_alone(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    private = await goal_of(p.teacher, mentorship, visibility="private")
    other_teacher = await person_in(server, p.organization, "Teacher")

    assert_problem(await p.coach.client.get(f"{GOALS}/{private['id']}"), 404, "NOT_FOUND")
    assert (await p.teacher.client.get(f"{GOALS}/{private['id']}")).status_code == 200
    assert ids(await p.coach.client.get(GOALS)) == set()
    assert ids(await p.teacher.client.get(GOALS)) == {private["id"]}
    assert ids(await other_teacher.client.get(GOALS)) == set()


async def test_goals_filter_by_mentorship_status_and_owner(server):
    p = await program(server)
    other_teacher = await person_in(server, p.organization, "Teacher")
    first = await mentorship_of(p)
    second = await mentorship_of(p, teacher_id=other_teacher.id)
    a = await goal_of(p.coach, first)
    b = await goal_of(p.coach, second)
    await p.coach.client.patch(f"{GOALS}/{b['id']}", json={"status": "achieved"})

    assert ids(await p.coach.client.get(GOALS)) == {a["id"], b["id"]}
    assert ids(await p.coach.client.get(GOALS, params={"mentorship_id": first["id"]})) == {a["id"]}
    assert ids(await p.coach.client.get(GOALS, params={"owner_id": other_teacher.id})) == {b["id"]}
    assert ids(await p.coach.client.get(GOALS, params={"status": "achieved"})) == {b["id"]}
    assert_problem(await p.coach.client.get(GOALS, params={"owner_id": "nobody"}), 400, "VALIDATION_ERROR")


async def test_goals_of_an_ended_mentorship_are_kept_as_they_were(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    goal = await goal_of(p.teacher, mentorship)
    await p.manager.client.patch(
        f"{MENTORSHIPS}/{mentorship['id']}", json={"status": "ended", "end_reason": "Program over"}
    )

    edit = await p.teacher.client.patch(f"{GOALS}/{goal['id']}", json={"progress": 90})

    assert "ended" in assert_problem(edit, 422, "UNPROCESSABLE")["detail"]
