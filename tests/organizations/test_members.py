"""SPEC §5 members: list, change a role, remove, leave; the last admin stays."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from models import AuditEvent, OrganizationUser, User
from tests.factories import give_global_role, organization_with, signed_in_user
from tests.problems import assert_problem

pytestmark = pytest.mark.many_sign_ins


def members_path(organization, user_id=None) -> str:
    path = f"/api/v1/organizations/{organization.id}/members"
    return path if user_id is None else f"{path}/{user_id}"


async def role_of(organization, user_id) -> str:
    return (await OrganizationUser.get(organization_id=organization.id, user_id=user_id)).role_in_organization


async def test_members_are_listed_with_emails_for_managers_only(server):
    manager = await signed_in_user(server)
    coach = await signed_in_user(server)
    platform = await signed_in_user(server)
    await give_global_role(server, platform, "PlatformAdmin")
    organization = await organization_with(
        (manager.id, "Manager"), (coach.id, "Coach"), (platform.id, "Teacher")
    )

    seen_by_manager = (await manager.client.get(members_path(organization))).json()
    seen_by_coach = (await coach.client.get(members_path(organization))).json()

    # a user with a global role is not listed, even with a membership
    assert {item["user_id"] for item in seen_by_manager["data"]} == {manager.id, coach.id}
    assert seen_by_manager["meta"]["total_count"] == 2
    assert {item["email"] for item in seen_by_manager["data"]} == {manager.email, coach.email}
    assert {item["email"] for item in seen_by_coach["data"]} == {None}
    item = seen_by_coach["data"][0]
    assert set(item) == {"user_id", "name", "nickname", "email", "role_in_organization", "status", "joined"}


async def test_members_are_filtered_by_role_and_status(server):
    admin = await signed_in_user(server)
    coach = await signed_in_user(server)
    gone = await signed_in_user(server)
    organization = await organization_with(
        (admin.id, "OrganizationAdmin"), (coach.id, "Coach"), (gone.id, "Coach")
    )
    await admin.client.delete(members_path(organization, gone.id))

    coaches = (await admin.client.get(members_path(organization), params={"role": "Coach"})).json()["data"]
    removed = (await admin.client.get(members_path(organization), params={"status": "removed"})).json()[
        "data"
    ]

    assert [item["user_id"] for item in coaches] == [coach.id]
    assert [(item["user_id"], item["status"]) for item in removed] == [(gone.id, "removed")]
    bad = await admin.client.get(members_path(organization), params={"role": "Owner"})
    assert_problem(bad, 400, "VALIDATION_ERROR")


async def test_members_list_pages_in_a_constant_number_of_queries(server):
    from tortoise import connections

    admin = await signed_in_user(server)
    organization = await organization_with((admin.id, "OrganizationAdmin"))
    people = [
        User(name=f"Member {n}", nickname=f"member-{n}", email=f"member{n}@example.com", password_hash="!")
        for n in range(30)
    ]
    await User.bulk_create(people)
    stored = await User.filter(nickname__startswith="member-")
    await OrganizationUser.bulk_create(
        [
            OrganizationUser(organization=organization, user=user, role_in_organization="Teacher")
            for user in stored
        ]
    )
    await admin.client.get(members_path(organization))  # the session is cached from here on
    connection = connections.get("default")
    executed: list[str] = []
    original = connection.acquire_connection

    def counting():  # type: ignore[no-untyped-def]
        # every statement, Tortoise's or a compiled query's, takes a connection for itself
        executed.append("statement")
        return original()

    connection.acquire_connection = counting  # type: ignore[method-assign]
    try:
        small = await admin.client.get(members_path(organization), params={"limit": 5})
        small_count = len(executed)
        executed.clear()
        large = await admin.client.get(members_path(organization), params={"limit": 31})
    finally:
        del connection.acquire_connection
    assert (len(small.json()["data"]), len(large.json()["data"])) == (5, 31)
    assert len(executed) == small_count
    # the bounded count and the page (joined with users); the membership is in the session
    assert small_count == 2


async def test_a_manager_changes_a_members_role_and_it_is_audited(server):
    manager = await signed_in_user(server)
    teacher = await signed_in_user(server)
    organization = await organization_with((manager.id, "Manager"), (teacher.id, "Teacher"))

    response = await manager.client.patch(members_path(organization, teacher.id), json={"role": "Coach"})

    assert response.status_code == 200, response.text
    assert response.json()["data"]["role_in_organization"] == "Coach"
    assert await role_of(organization, teacher.id) == "Coach"
    event = await AuditEvent.get(action="member.role_changed")
    assert (event.target_id, event.changed_fields) == (teacher.id, ["role_in_organization"])
    current = await teacher.client.get(
        "/api/v1/organizations/current", headers={"X-Organization-Id": str(organization.id)}
    )
    assert current.json()["data"]["role_in_organization"] == "Coach"


async def test_nobody_grants_a_role_above_their_own(server):
    manager = await signed_in_user(server)
    teacher = await signed_in_user(server)
    organization = await organization_with((manager.id, "Manager"), (teacher.id, "Teacher"))
    response = await manager.client.patch(
        members_path(organization, teacher.id), json={"role": "OrganizationAdmin"}
    )
    assert_problem(response, 403, "FORBIDDEN")
    assert await role_of(organization, teacher.id) == "Teacher"
    global_role = await manager.client.patch(members_path(organization, teacher.id), json={"role": "Owner"})
    assert_problem(global_role, 400, "VALIDATION_ERROR")


async def test_a_manager_cannot_demote_or_remove_an_organization_admin(server):
    manager = await signed_in_user(server)
    admin = await signed_in_user(server)
    organization = await organization_with((manager.id, "Manager"), (admin.id, "OrganizationAdmin"))
    demote = await manager.client.patch(members_path(organization, admin.id), json={"role": "Teacher"})
    assert_problem(demote, 403, "FORBIDDEN")
    assert_problem(await manager.client.delete(members_path(organization, admin.id)), 403, "FORBIDDEN")
    assert await role_of(organization, admin.id) == "OrganizationAdmin"


async def test_a_member_cannot_promote_or_remove_themselves(server):
    manager = await signed_in_user(server)
    organization = await organization_with((manager.id, "Manager"))
    promote = await manager.client.patch(
        members_path(organization, manager.id), json={"role": "OrganizationAdmin"}
    )
    assert_problem(promote, 403, "FORBIDDEN")
    assert_problem(await manager.client.delete(members_path(organization, manager.id)), 403, "FORBIDDEN")


@pytest.mark.parametrize("role", ["Coach", "Teacher"])
async def test_coaches_and_teachers_cannot_manage_members(server, role):
    member = await signed_in_user(server)
    other = await signed_in_user(server)
    organization = await organization_with((member.id, role), (other.id, "Teacher"))
    change = await member.client.patch(members_path(organization, other.id), json={"role": "Coach"})
    assert_problem(change, 403, "FORBIDDEN")
    assert_problem(await member.client.delete(members_path(organization, other.id)), 403, "FORBIDDEN")


async def test_the_last_admin_cannot_be_demoted_removed_or_leave(server):
    admin = await signed_in_user(server)
    platform = await signed_in_user(server)
    await give_global_role(server, platform, "PlatformAdmin")
    organization = await organization_with((admin.id, "OrganizationAdmin"))

    demote = await platform.client.patch(members_path(organization, admin.id), json={"role": "Manager"})
    remove = await platform.client.delete(members_path(organization, admin.id))
    leave = await admin.client.delete(f"/api/v1/me/organizations/{organization.id}")

    for response in (demote, remove, leave):
        assert_problem(response, 422, "UNPROCESSABLE")
    membership = await OrganizationUser.get(organization_id=organization.id, user_id=admin.id)
    assert (membership.role_in_organization, membership.status) == ("OrganizationAdmin", "active")


async def test_an_admin_may_step_down_when_another_admin_remains(server):
    first = await signed_in_user(server)
    second = await signed_in_user(server)
    organization = await organization_with((first.id, "OrganizationAdmin"), (second.id, "OrganizationAdmin"))
    demoted = await first.client.patch(members_path(organization, second.id), json={"role": "Manager"})
    assert demoted.status_code == 200, demoted.text
    # now `first` is the last one
    assert_problem(
        await first.client.delete(f"/api/v1/me/organizations/{organization.id}"), 422, "UNPROCESSABLE"
    )


async def test_removing_a_member_ends_their_access_at_once(server):
    admin = await signed_in_user(server)
    member = await signed_in_user(server)
    organization = await organization_with((admin.id, "OrganizationAdmin"), (member.id, "Coach"))
    await member.client.put("/api/v1/me/current-organization", json={"organization_id": str(organization.id)})
    # the member's session snapshot is cached now, current organization included
    assert (await member.client.get("/api/v1/organizations/current")).status_code == 200
    assert (await member.client.get(members_path(organization))).status_code == 200

    response = await admin.client.delete(members_path(organization, member.id))

    assert response.json() == {"success": True}
    assert_problem(await member.client.get(members_path(organization)), 404, "NOT_FOUND")
    assert_problem(await member.client.get(f"/api/v1/organizations/{organization.id}"), 404, "NOT_FOUND")
    assert_problem(await member.client.get("/api/v1/organizations/current"), 404, "NOT_FOUND")
    assert (await member.client.get("/api/v1/me")).json()["data"]["current_organization_id"] is None
    membership = await OrganizationUser.get(organization_id=organization.id, user_id=member.id)
    assert membership.status == "removed"  # the row is kept
    assert (await AuditEvent.get(action="member.removed")).target_id == member.id
    # removed is gone: managing them again is the 404 of a missing member
    again = await admin.client.delete(members_path(organization, member.id))
    missing = await admin.client.delete(members_path(organization, uuid.uuid4()))
    assert (
        assert_problem(again, 404, "NOT_FOUND")["detail"]
        == assert_problem(missing, 404, "NOT_FOUND")["detail"]
    )


async def test_a_member_leaves_an_organization(server):
    admin = await signed_in_user(server)
    member = await signed_in_user(server)
    organization = await organization_with((admin.id, "OrganizationAdmin"), (member.id, "Teacher"))
    await member.client.put("/api/v1/me/current-organization", json={"organization_id": str(organization.id)})

    response = await member.client.delete(f"/api/v1/me/organizations/{organization.id}")

    assert response.json() == {"success": True}
    assert (await member.client.get("/api/v1/me/organizations")).json()["data"] == []
    assert (await member.client.get("/api/v1/me")).json()["data"]["current_organization_id"] is None
    assert_problem(await member.client.get(f"/api/v1/organizations/{organization.id}"), 404, "NOT_FOUND")
    event = await AuditEvent.get(action="member.left")
    assert (str(event.actor_id), event.target_id) == (member.id, member.id)
    again = await member.client.delete(f"/api/v1/me/organizations/{organization.id}")
    assert_problem(again, 404, "NOT_FOUND")


async def test_leaving_an_organization_i_am_not_in_is_404_like_a_missing_one(server):
    person = await signed_in_user(server)
    stranger = await signed_in_user(server)
    foreign = await organization_with((stranger.id, "OrganizationAdmin"))
    response = await person.client.delete(f"/api/v1/me/organizations/{foreign.id}")
    missing = await person.client.delete(f"/api/v1/me/organizations/{uuid.uuid4()}")
    assert (
        assert_problem(response, 404, "NOT_FOUND")["detail"]
        == assert_problem(missing, 404, "NOT_FOUND")["detail"]
    )
    assert (await OrganizationUser.get(organization_id=foreign.id)).status == "active"


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(server):
    first = await signed_in_user(server)
    second = await signed_in_user(server)
    organization = await organization_with((first.id, "OrganizationAdmin"), (second.id, "OrganizationAdmin"))

    responses = await asyncio.gather(
        first.client.patch(members_path(organization, second.id), json={"role": "Manager"}),
        second.client.patch(members_path(organization, first.id), json={"role": "Manager"}),
    )

    # the second is refused: 422 when both were admins as they asked, 403 when the first
    # change had already made its caller a Manager
    statuses = sorted(response.status_code for response in responses)
    assert statuses in ([200, 422], [200, 403]), statuses
    admins = OrganizationUser.filter(
        organization_id=organization.id, role_in_organization="OrganizationAdmin"
    )
    assert await admins.count() == 1
