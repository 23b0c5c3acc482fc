"""SPEC §6 mentorships: created by a Manager or proposed by a coach, the status machine,
one open mentorship per pair, who sees which, and what ending one takes away."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from tortoise.exceptions import IntegrityError

from models import AuditEvent, Mentorship, OrganizationUser
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


async def test_a_manager_creates_an_active_mentorship_audited_and_announced(server):
    p = await program(server)
    listener = await listening(server, p.organization.id)

    response = await p.manager.client.post(
        MENTORSHIPS, json={"coach_id": p.coach.id, "teacher_id": p.teacher.id}
    )

    assert response.status_code == 201, response.text
    created = response.json()["data"]
    assert response.headers["location"] == f"{MENTORSHIPS}/{created['id']}"
    assert created["status"] == "active"
    assert created["accepted_at"] is not None and created["accepted_at"].endswith("Z")
    assert (created["coach_id"], created["teacher_id"], created["proposed_by_id"]) == (
        p.coach.id,
        p.teacher.id,
        p.manager.id,
    )
    audit = await AuditEvent.get(action="mentorship.created")
    assert (str(audit.actor_id), audit.target_type, audit.target_id) == (
        p.manager.id,
        "mentorship",
        created["id"],
    )
    assert audit.organization_id == p.organization.id
    [event] = await heard(listener, 1)
    assert (event.type, dict(event.data)) == ("mentorship.created", created)
    assert reaches(event, p.coach, "Coach") and reaches(event, p.teacher, "Teacher")
    bystander = await person_in(server, p.organization, "Coach")
    assert not reaches(event, bystander, "Coach")


async def test_a_coach_proposes_and_the_teacher_accepts(server):
    p = await program(server)
    listener = await listening(server, p.organization.id)
    response = await p.coach.client.post(
        MENTORSHIPS, json={"coach_id": p.coach.id, "teacher_id": p.teacher.id}
    )
    assert response.status_code == 201, response.text
    proposed = response.json()["data"]
    assert (proposed["status"], proposed["accepted_at"]) == ("pending", None)
    path = f"{MENTORSHIPS}/{proposed['id']}"

    by_coach = await p.coach.client.patch(path, json={"status": "active"})
    accepted = await p.teacher.client.patch(path, json={"status": "active"})

    assert_problem(by_coach, 403, "FORBIDDEN")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["data"]["status"] == "active"
    assert accepted.json()["data"]["accepted_at"] is not None
    assert [event.type for event in await heard(listener, 2)] == ["mentorship.proposed", "mentorship.updated"]
    actions = (
        await AuditEvent.filter(target_id=proposed["id"])
        .order_by("created_at")
        .values_list("action", flat=True)
    )
    assert sorted(actions) == ["mentorship.proposed", "mentorship.updated"]


async def test_a_teacher_declines_a_proposal_by_ending_it(server):
    p = await program(server)
    response = await p.coach.client.post(
        MENTORSHIPS, json={"coach_id": p.coach.id, "teacher_id": p.teacher.id}
    )
    path = f"{MENTORSHIPS}/{response.json()['data']['id']}"

    declined = await p.teacher.client.patch(path, json={"status": "ended", "end_reason": "Not now"})

    assert declined.status_code == 200, declined.text
    assert declined.json()["data"]["end_reason"] == "Not now"


async def test_coach_proposing_for_another_coach_is_refused(server):
    p = await program(server)
    other_coach = await person_in(server, p.organization, "Coach")

    response = await p.coach.client.post(
        MENTORSHIPS, json={"coach_id": other_coach.id, "teacher_id": p.teacher.id}
    )

    assert_problem(response, 403, "FORBIDDEN")
    assert await Mentorship.all().count() == 0


async def test_teacher_granting_themselves_a_mentorship_is_refused(server):
    p = await program(server)

    response = await p.teacher.client.post(
        MENTORSHIPS, json={"coach_id": p.coach.id, "teacher_id": p.teacher.id}
    )

    assert_problem(response, 403, "FORBIDDEN")
    assert await Mentorship.all().count() == 0


async def test_people_without_the_role_asked_are_named(server):
    p = await program(server)

    coach_is_teacher = await p.manager.client.post(
        MENTORSHIPS, json={"coach_id": p.teacher.id, "teacher_id": p.teacher.id}
    )
    teacher_is_manager = await p.manager.client.post(
        MENTORSHIPS, json={"coach_id": p.coach.id, "teacher_id": p.manager.id}
    )

    assert assert_problem(coach_is_teacher, 422, "UNPROCESSABLE")["errors"][0]["field"] == "coach_id"
    assert assert_problem(teacher_is_manager, 422, "UNPROCESSABLE")["errors"][0]["field"] == "teacher_id"


async def test_member_of_another_organization_as_teacher_is_refused(server):
    p = await program(server)
    elsewhere = await signed_in_user(server)
    await organization_with((elsewhere.id, "Teacher"))

    foreign = await p.manager.client.post(
        MENTORSHIPS, json={"coach_id": p.coach.id, "teacher_id": elsewhere.id}
    )
    unknown = await p.manager.client.post(
        MENTORSHIPS, json={"coach_id": p.coach.id, "teacher_id": str(uuid.uuid4())}
    )

    assert_problem(foreign, 422, "UNPROCESSABLE")
    # nothing tells a person of another organization from nobody
    assert without_request_id(foreign.json()) == without_request_id(unknown.json())


async def test_a_removed_member_cannot_be_given_a_mentorship(server):
    p = await program(server)
    await OrganizationUser.filter(organization_id=p.organization.id, user_id=p.teacher.id).update(
        status="removed"
    )

    response = await p.manager.client.post(
        MENTORSHIPS, json={"coach_id": p.coach.id, "teacher_id": p.teacher.id}
    )

    assert assert_problem(response, 422, "UNPROCESSABLE")["errors"][0]["field"] == "teacher_id"


async def test_a_second_open_mentorship_of_the_pair_conflicts_until_the_first_ends(server):
    p = await program(server)
    first = await mentorship_of(p)

    again = await p.manager.client.post(
        MENTORSHIPS, json={"coach_id": p.coach.id, "teacher_id": p.teacher.id}
    )
    proposed = await p.coach.client.post(
        MENTORSHIPS, json={"coach_id": p.coach.id, "teacher_id": p.teacher.id}
    )
    assert assert_problem(again, 409, "CONFLICT")["mentorship_id"] == first["id"]
    assert_problem(proposed, 409, "CONFLICT")

    ended = await p.manager.client.patch(
        f"{MENTORSHIPS}/{first['id']}", json={"status": "ended", "end_reason": "Program over"}
    )
    assert ended.status_code == 200, ended.text
    second = await mentorship_of(p)
    assert second["id"] != first["id"]


async def test_concurrent_creates_of_one_pair_make_one_mentorship(server):
    p = await program(server)
    body = {"coach_id": p.coach.id, "teacher_id": p.teacher.id}

    responses = await asyncio.gather(*(p.manager.client.post(MENTORSHIPS, json=body) for _ in range(6)))

    assert sorted(response.status_code for response in responses) == [201] + [409] * 5
    for response in responses:
        if response.status_code == 409:
            assert_problem(response, 409, "CONFLICT")
    assert await Mentorship.all().count() == 1


async def test_the_status_machine_pauses_resumes_and_ends(server):
    p = await program(server)
    listener = await listening(server, p.organization.id)
    path = f"{MENTORSHIPS}/{(await mentorship_of(p))['id']}"

    paused = await p.teacher.client.patch(path, json={"status": "paused"})
    resumed = await p.coach.client.patch(path, json={"status": "active"})
    no_reason = await p.coach.client.patch(path, json={"status": "ended"})
    ended = await p.coach.client.patch(path, json={"status": "ended", "end_reason": "Goals reached"})

    assert [paused.json()["data"]["status"], resumed.json()["data"]["status"]] == ["paused", "active"]
    assert assert_problem(no_reason, 400, "VALIDATION_ERROR")["errors"][0]["field"] == "end_reason"
    data = ended.json()["data"]
    assert (data["status"], data["end_reason"]) == ("ended", "Goals reached")
    assert data["ended_at"] is not None
    events = await heard(listener, 4)
    assert [event.type for event in events] == [
        "mentorship.created",
        "mentorship.updated",
        "mentorship.updated",
        "mentorship.ended",
    ]
    assert [event.data["status"] for event in events[1:]] == ["paused", "active", "ended"]


async def test_an_invalid_transition_names_the_allowed_ones(server):
    p = await program(server)
    path = f"{MENTORSHIPS}/{(await mentorship_of(p))['id']}"

    back_to_pending = await p.manager.client.patch(path, json={"status": "pending"})
    reason_without_ending = await p.manager.client.patch(path, json={"status": "paused", "end_reason": "x"})
    await p.manager.client.patch(path, json={"status": "ended", "end_reason": "Done"})
    after_end = await p.manager.client.patch(path, json={"status": "active"})

    problem = assert_problem(back_to_pending, 422, "UNPROCESSABLE")
    assert "paused, ended" in problem["detail"]
    assert problem["allowed_statuses"] == ["paused", "ended"]
    assert_problem(reason_without_ending, 400, "VALIDATION_ERROR")
    problem = assert_problem(after_end, 422, "UNPROCESSABLE")
    assert "final" in problem["detail"] and problem["allowed_statuses"] == []


async def test_coaches_and_teachers_see_their_own_mentorships_managers_all(server):
    p = await program(server)
    other_coach = await person_in(server, p.organization, "Coach")
    other_teacher = await person_in(server, p.organization, "Teacher")
    mine = await mentorship_of(p)
    theirs = await mentorship_of(p, coach_id=other_coach.id, teacher_id=other_teacher.id)

    def ids(response) -> set[str]:  # type: ignore[no-untyped-def]
        assert response.status_code == 200, response.text
        return {row["id"] for row in response.json()["data"]}

    assert ids(await p.coach.client.get(MENTORSHIPS)) == {mine["id"]}
    assert ids(await other_teacher.client.get(MENTORSHIPS)) == {theirs["id"]}
    assert ids(await p.manager.client.get(MENTORSHIPS)) == {mine["id"], theirs["id"]}
    filtered = await p.manager.client.get(
        MENTORSHIPS, params={"coach_id": other_coach.id, "status": "active"}
    )
    assert ids(filtered) == {theirs["id"]}
    assert ids(await p.manager.client.get(MENTORSHIPS, params={"status": "paused"})) == set()
    assert (await p.coach.client.get(f"{MENTORSHIPS}/{mine['id']}")).status_code == 200
    hidden = await p.coach.client.get(f"{MENTORSHIPS}/{theirs['id']}")
    missing = await p.coach.client.get(f"{MENTORSHIPS}/{uuid.uuid4()}")
    assert without_request_id(assert_problem(hidden, 404, "NOT_FOUND")) == without_request_id(missing.json())
    changed = await p.coach.client.patch(f"{MENTORSHIPS}/{theirs['id']}", json={"status": "paused"})
    assert_problem(changed, 404, "NOT_FOUND")


async def test_mentorships_page_by_cursor(server):
    p = await program(server)
    teachers = [await person_in(server, p.organization, "Teacher") for _ in range(2)]
    made = [await mentorship_of(p, teacher_id=teacher.id) for teacher in teachers]

    first = await p.manager.client.get(MENTORSHIPS, params={"limit": 1})
    cursor = first.json()["meta"]["next_cursor"]
    second = await p.manager.client.get(MENTORSHIPS, params={"limit": 1, "cursor": cursor})
    bad_filter = await p.manager.client.get(MENTORSHIPS, params={"status": "closed"})

    assert first.json()["meta"]["total_count"] == 2
    assert [first.json()["data"][0]["id"], second.json()["data"][0]["id"]] == [made[1]["id"], made[0]["id"]]
    assert second.json()["meta"]["next_cursor"] is None
    assert_problem(bad_filter, 400, "VALIDATION_ERROR")


async def test_a_former_coach_no_longer_reads_the_participants_goals(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    goal = await goal_of(p.coach, mentorship)
    assert (await p.coach.client.get(f"{GOALS}/{goal['id']}")).status_code == 200

    await p.teacher.client.patch(
        f"{MENTORSHIPS}/{mentorship['id']}", json={"status": "ended", "end_reason": "Moved schools"}
    )

    assert_problem(await p.coach.client.get(f"{GOALS}/{goal['id']}"), 404, "NOT_FOUND")
    assert goal["id"] not in (await p.coach.client.get(GOALS)).text
    # the teacher owns it: it stays theirs
    assert (await p.teacher.client.get(f"{GOALS}/{goal['id']}")).status_code == 200
    # the mentorship itself stays in both people's history
    assert (await p.coach.client.get(f"{MENTORSHIPS}/{mentorship['id']}")).status_code == 200


async def test_the_database_refuses_a_second_open_mentorship_of_a_pair(server):
    """What decides a race the service's own check cannot see (mentorships_one_open_per_pair)."""
    p = await program(server)
    pair = {"organization_id": p.organization.id, "coach_id": p.coach.id, "teacher_id": p.teacher.id}
    await Mentorship.create(**pair, status="paused")
    await Mentorship.create(**pair, status="ended")  # ended ones do not count

    with pytest.raises(IntegrityError):
        await Mentorship.create(**pair, status="pending")
