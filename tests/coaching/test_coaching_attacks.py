"""Red-team attacks on who reaches mentorships, goals and action items (SPEC §1 roles and
visibility, §6): ids of another organization, people who may not see, roles that may not
act, events."""

from __future__ import annotations

import asyncio

import pytest

from models import AuditEvent, Mentorship
from tests.coaching.mentorship_support import (
    ACTION_ITEMS,
    GOALS,
    MENTORSHIPS,
    acting_in,
    goal_of,
    heard,
    item_of,
    listening,
    mentorship_of,
    person_in,
    program,
    reaches,
)
from tests.factories import organization_with
from tests.problems import assert_problem

pytestmark = pytest.mark.many_sign_ins


def ids(response) -> set[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return {row["id"] for row in response.json()["data"]}


# -- tenancy ------------------------------------------------------------------------


async def test_ids_of_my_other_organization_are_refused_while_acting_in_this_one(server):
    """A Manager of B who is also the coach in A's mentorship acts in B with A's ids."""
    a = await program(server)
    mentorship_a = await mentorship_of(a)
    goal_a = await goal_of(a.teacher, mentorship_a, visibility="organization")
    item_a = await item_of(a.coach, mentorship_a, goal_id=goal_a["id"])
    b = await organization_with((a.coach.id, "Manager"))
    coach = a.coach
    acting_in(coach, b)

    for path in (
        f"{MENTORSHIPS}/{mentorship_a['id']}",
        f"{GOALS}/{goal_a['id']}",
        f"{ACTION_ITEMS}/{item_a['id']}",
    ):
        assert_problem(await coach.client.get(path), 404, "NOT_FOUND")
    assert_problem(
        await coach.client.patch(f"{MENTORSHIPS}/{mentorship_a['id']}", json={"status": "paused"}),
        404,
        "NOT_FOUND",
    )
    assert_problem(await coach.client.patch(f"{GOALS}/{goal_a['id']}", json={"title": "x"}), 404, "NOT_FOUND")
    assert_problem(await coach.client.delete(f"{GOALS}/{goal_a['id']}"), 404, "NOT_FOUND")
    assert_problem(
        await coach.client.patch(f"{ACTION_ITEMS}/{item_a['id']}", json={"status": "done"}), 404, "NOT_FOUND"
    )
    # bodies naming A's mentorship from B
    assert_problem(
        await coach.client.post(GOALS, json={"mentorship_id": mentorship_a["id"], "title": "x"}),
        422,
        "UNPROCESSABLE",
    )
    assert_problem(
        await coach.client.post(
            ACTION_ITEMS,
            json={"mentorship_id": mentorship_a["id"], "title": "x", "assignee_id": a.teacher.id},
        ),
        422,
        "UNPROCESSABLE",
    )
    # creating a mentorship in B with A's people (not members of B with those roles)
    assert_problem(
        await coach.client.post(MENTORSHIPS, json={"coach_id": a.coach.id, "teacher_id": a.teacher.id}),
        422,
        "UNPROCESSABLE",
    )
    # list filters with A's ids find nothing in B
    for query in (
        {"coach_id": a.coach.id},
        {"teacher_id": a.teacher.id},
    ):
        assert ids(await coach.client.get(MENTORSHIPS, params=query)) == set()
    assert ids(await coach.client.get(GOALS, params={"mentorship_id": mentorship_a["id"]})) == set()
    assert ids(await coach.client.get(GOALS, params={"owner_id": a.teacher.id})) == set()
    for query in (
        {"mentorship_id": mentorship_a["id"]},
        {"goal_id": goal_a["id"]},
        {"assignee_id": a.teacher.id},
    ):
        assert ids(await coach.client.get(ACTION_ITEMS, params=query)) == set()
    # and acting in A again the coach is only a Coach: no other mentorship of A
    acting_in(coach, a.organization)
    other = await mentorship_of(
        a,
        coach_id=(await person_in(server, a.organization, "Coach")).id,
        teacher_id=(await person_in(server, a.organization, "Teacher")).id,
    )
    assert_problem(await coach.client.get(f"{MENTORSHIPS}/{other['id']}"), 404, "NOT_FOUND")
    assert ids(await coach.client.get(MENTORSHIPS)) == {mentorship_a["id"]}


async def test_organization_header_of_an_organization_i_left_or_garbage_is_refused(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    from models import OrganizationUser
    from models.organizations import MembershipStatus

    await OrganizationUser.filter(organization_id=p.organization.id, user_id=p.coach.id).update(
        status=MembershipStatus.REMOVED
    )
    response = await p.coach.client.get(f"{MENTORSHIPS}/{mentorship['id']}")
    assert response.status_code == 404, response.text
    response = await p.coach.client.get(MENTORSHIPS)
    assert response.status_code == 404, response.text
    for header in ("not-a-uuid", "", "00000000-0000-0000-0000-000000000000", "%00"):
        p.teacher.client.headers["X-Organization-Id"] = header
        response = await p.teacher.client.get(MENTORSHIPS)
        assert response.status_code in (400, 404), (header, response.text)


# -- visibility ---------------------------------------------------------------------


async def test_another_coach_or_teacher_of_the_organization_sees_nothing_of_a_mentorship(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    goal = await goal_of(p.teacher, mentorship, visibility="organization")
    item = await item_of(p.coach, mentorship)
    for role in ("Coach", "Teacher"):
        stranger = await person_in(server, p.organization, role)
        for path in (
            f"{MENTORSHIPS}/{mentorship['id']}",
            f"{GOALS}/{goal['id']}",
            f"{ACTION_ITEMS}/{item['id']}",
        ):
            assert_problem(await stranger.client.get(path), 404, "NOT_FOUND")
        assert_problem(
            await stranger.client.patch(
                f"{MENTORSHIPS}/{mentorship['id']}", json={"status": "ended", "end_reason": "x"}
            ),
            404,
            "NOT_FOUND",
        )
        assert_problem(
            await stranger.client.patch(f"{GOALS}/{goal['id']}", json={"progress": 99}), 404, "NOT_FOUND"
        )
        assert_problem(await stranger.client.delete(f"{GOALS}/{goal['id']}"), 404, "NOT_FOUND")
        assert_problem(
            await stranger.client.patch(f"{ACTION_ITEMS}/{item['id']}", json={"status": "cancelled"}),
            404,
            "NOT_FOUND",
        )
        assert ids(await stranger.client.get(MENTORSHIPS, params={"coach_id": p.coach.id})) == set()
        assert ids(await stranger.client.get(GOALS, params={"mentorship_id": mentorship["id"]})) == set()
        assert ids(await stranger.client.get(ACTION_ITEMS, params={"goal_id": goal["id"]})) == set()
        assert (
            ids(await stranger.client.get(ACTION_ITEMS, params={"mentorship_id": mentorship["id"]})) == set()
        )
        response = await stranger.client.post(
            ACTION_ITEMS, json={"mentorship_id": mentorship["id"], "title": "x", "assignee_id": stranger.id}
        )
        assert_problem(response, 422, "UNPROCESSABLE")
    assert (await Mentorship.get(id=mentorship["id"])).status == "active"


async def test_manager_and_platform_admin_cannot_touch_a_private_or_participants_goal(server):
    from tests.factories import give_global_role, signed_in_user

    p = await program(server)
    mentorship = await mentorship_of(p)
    private = await goal_of(p.teacher, mentorship, visibility="private")
    shared = await goal_of(p.teacher, mentorship, visibility="participants")
    admin = await signed_in_user(server)
    await give_global_role(server, admin, "PlatformAdmin")
    acting_in(admin, p.organization)
    org_admin = await person_in(server, p.organization, "OrganizationAdmin")
    for person in (p.manager, org_admin, admin):
        for goal in (private, shared):
            path = f"{GOALS}/{goal['id']}"
            assert_problem(await person.client.get(path), 404, "NOT_FOUND")
            assert_problem(await person.client.patch(path, json={"title": "mine"}), 404, "NOT_FOUND")
            assert_problem(
                await person.client.patch(path, json={"visibility": "organization"}), 404, "NOT_FOUND"
            )
            assert_problem(await person.client.delete(path), 404, "NOT_FOUND")
            assert ids(await person.client.get(GOALS, params={"owner_id": p.teacher.id})) == set()
            response = await person.client.post(
                ACTION_ITEMS,
                json={
                    "mentorship_id": mentorship["id"],
                    "title": "x",
                    "assignee_id": p.teacher.id,
                    "goal_id": goal["id"],
                },
            )
            assert_problem(response, 422, "UNPROCESSABLE")
    # the coach does not read the private one either
    assert_problem(await p.coach.client.get(f"{GOALS}/{private['id']}"), 404, "NOT_FOUND")
    assert_problem(
        await p.coach.client.patch(f"{GOALS}/{private['id']}", json={"title": "x"}), 404, "NOT_FOUND"
    )


async def test_visibility_change_by_anyone_but_the_owner_is_refused(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    goal = await goal_of(p.teacher, mentorship, visibility="organization")
    for person in (p.coach, p.manager):
        for visibility in ("private", "participants"):
            response = await person.client.patch(f"{GOALS}/{goal['id']}", json={"visibility": visibility})
            assert_problem(response, 403, "FORBIDDEN")
    assert (await p.teacher.client.get(f"{GOALS}/{goal['id']}")).json()["data"][
        "visibility"
    ] == "organization"


# -- roles and the status machine ---------------------------------------------------


async def test_proposal_tricks_are_refused(server):
    p = await program(server)
    other_teacher = await person_in(server, p.organization, "Teacher")
    other_coach = await person_in(server, p.organization, "Coach")
    # a coach proposing with another coach, or themselves as teacher
    for body in (
        {"coach_id": other_coach.id, "teacher_id": p.teacher.id},
        {"coach_id": p.coach.id, "teacher_id": p.coach.id},
    ):
        response = await p.coach.client.post(MENTORSHIPS, json=body)
        assert response.status_code in (403, 422), response.text
    proposal = (
        await p.coach.client.post(MENTORSHIPS, json={"coach_id": p.coach.id, "teacher_id": p.teacher.id})
    ).json()["data"]
    path = f"{MENTORSHIPS}/{proposal['id']}"
    assert_problem(await p.coach.client.patch(path, json={"status": "active"}), 403, "FORBIDDEN")
    assert_problem(await other_teacher.client.patch(path, json={"status": "active"}), 404, "NOT_FOUND")
    assert_problem(await other_coach.client.patch(path, json={"status": "active"}), 404, "NOT_FOUND")
    assert_problem(await p.teacher.client.patch(path, json={"status": "paused"}), 422, "UNPROCESSABLE")
    # no goals or action items while pending
    response = await p.coach.client.post(GOALS, json={"mentorship_id": proposal["id"], "title": "x"})
    assert_problem(response, 422, "UNPROCESSABLE")
    assert (await Mentorship.get(id=proposal["id"])).status == "pending"


async def test_every_invalid_transition_is_refused_and_ended_is_final(server):
    p = await program(server)
    statuses = ("pending", "active", "paused", "ended")
    allowed = {
        "pending": {"active", "ended"},
        "active": {"paused", "ended"},
        "paused": {"active", "ended"},
        "ended": set(),
    }
    for current in statuses:
        for new in statuses:
            if new in allowed[current]:
                continue
            await Mentorship.filter(organization_id=p.organization.id).update(status="ended")
            row = await Mentorship.create(
                organization_id=p.organization.id,
                coach_id=p.coach.id,
                teacher_id=p.teacher.id,
                status=current,
            )
            body = {"status": new, **({"end_reason": "r"} if new == "ended" else {})}
            response = await p.manager.client.patch(f"{MENTORSHIPS}/{row.id}", json=body)
            assert_problem(response, 422, "UNPROCESSABLE")
            await row.refresh_from_db()
            assert row.status == current


async def test_two_concurrent_ends_leave_one_end_and_one_audit_row(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    path = f"{MENTORSHIPS}/{mentorship['id']}"

    responses = await asyncio.gather(
        p.coach.client.patch(path, json={"status": "ended", "end_reason": "coach"}),
        p.teacher.client.patch(path, json={"status": "ended", "end_reason": "teacher"}),
        p.manager.client.patch(path, json={"status": "paused"}),
    )

    codes = sorted(response.status_code for response in responses)
    assert 500 not in codes, [r.text for r in responses]
    ended = [r for r in responses if r.status_code == 200 and r.json()["data"]["status"] == "ended"]
    assert len(ended) == 1, [r.text for r in responses]
    row = await Mentorship.get(id=mentorship["id"])
    assert (row.status, row.end_reason) == ("ended", ended[0].json()["data"]["end_reason"])
    audits = await AuditEvent.filter(target_id=mentorship["id"], action="mentorship.ended").count()
    assert audits == 1


async def test_a_pair_may_start_again_after_the_end(server):
    p = await program(server)
    first = await mentorship_of(p)
    await p.manager.client.patch(f"{MENTORSHIPS}/{first['id']}", json={"status": "ended", "end_reason": "x"})
    second = await mentorship_of(p)
    assert second["id"] != first["id"]
    # the former mentorship stays ended; its goals cannot be written through the new one
    goal = await goal_of(p.teacher, second)
    assert goal["mentorship_id"] == second["id"]


# -- events ---------------------------------------------------------------------------


async def test_events_do_not_reach_people_who_may_not_see_the_object(server):
    p = await program(server)
    mentorship = await mentorship_of(p)
    other_coach = await person_in(server, p.organization, "Coach")
    other_teacher = await person_in(server, p.organization, "Teacher")
    goal = await goal_of(p.teacher, mentorship, visibility="organization")
    listener = await listening(server, p.organization.id)

    await p.teacher.client.patch(f"{GOALS}/{goal['id']}", json={"visibility": "private", "progress": 10})
    await p.coach.client.post(GOALS, json={"mentorship_id": mentorship["id"], "title": "shared"})
    await item_of(p.coach, mentorship)
    await p.coach.client.patch(f"{MENTORSHIPS}/{mentorship['id']}", json={"status": "paused"})

    events = await heard(listener, 4)
    assert [event.type for event in events] == [
        "goal.updated",
        "goal.created",
        "action_item.created",
        "mentorship.updated",
    ]
    narrowed, shared, item, paused = events
    assert reaches(narrowed, p.teacher, "Teacher")
    assert not any(
        reaches(narrowed, person, role) for person, role in ((p.coach, "Coach"), (p.manager, "Manager"))
    )
    assert not reaches(shared, p.manager, "Manager") and reaches(shared, p.coach, "Coach")
    for event in (narrowed, shared, item, paused):
        assert not reaches(event, other_coach, "Coach")
        assert not reaches(event, other_teacher, "Teacher")
    assert reaches(item, p.manager, "Manager") and reaches(paused, p.manager, "Manager")


async def test_accepting_and_withdrawing_a_proposal_at_once_leave_one_outcome(server):
    p = await program(server)
    proposed = await p.coach.client.post(
        MENTORSHIPS, json={"coach_id": p.coach.id, "teacher_id": p.teacher.id}
    )
    path = f"{MENTORSHIPS}/{proposed.json()['data']['id']}"

    accepted, withdrawn = await asyncio.gather(
        p.teacher.client.patch(path, json={"status": "active"}),
        p.coach.client.patch(path, json={"status": "ended", "end_reason": "withdrawn"}),
    )

    row = await Mentorship.get(id=proposed.json()["data"]["id"])
    if accepted.status_code == 200:
        # accepted first: ending an active mentorship is allowed too, so both may pass
        assert withdrawn.status_code == 200 and row.status == "ended"
        assert row.accepted_at is not None
    else:
        assert_problem(accepted, 422, "UNPROCESSABLE")
        assert (withdrawn.status_code, row.status, row.accepted_at) == (200, "ended", None)
    actions = sorted(await AuditEvent.filter(target_id=str(row.id)).values_list("action", flat=True))
    expected = ["mentorship.ended", "mentorship.proposed"]
    assert actions == sorted([*expected, *(["mentorship.updated"] if accepted.status_code == 200 else [])])
