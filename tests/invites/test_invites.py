"""SPEC §5 invites from the organization's side: who may invite whom, the list, another
organization's invites, the bounds on invite emails, and /me/invites."""

from __future__ import annotations

import uuid

import pytest

from app.core.scoping import unscoped
from app.core.tokens import hash_token, new_token
from models import Invite, OrganizationUser
from models.organizations import MembershipStatus
from tests.factories import signed_in_user, verify_email
from tests.invites.support import invite, invites_path, move_time_on, organization_run_by, verified_user
from tests.problems import assert_problem

pytestmark = pytest.mark.many_sign_ins


async def test_inviting_as_a_role_above_ones_own_is_refused(server):
    manager, organization = await organization_run_by(server, role="Manager")

    response = await manager.client.post(
        invites_path(organization), json={"email": "boss@example.com", "role": "OrganizationAdmin"}
    )

    assert_problem(response, 403, "FORBIDDEN")
    assert await unscoped(Invite, reason="test").count() == 0
    # their own level is fine
    assert (await invite(manager, organization, "peer@example.com", role="Manager"))["role"] == "Manager"


@pytest.mark.parametrize("role", ["Owner", "PlatformAdmin", "Admin", ""])
async def test_inviting_with_a_global_or_unknown_role_is_a_400(server, role):
    admin, organization = await organization_run_by(server)

    response = await admin.client.post(
        invites_path(organization), json={"email": "x@example.com", "role": role}
    )

    body = assert_problem(response, 400, "VALIDATION_ERROR")
    assert body["errors"][0]["field"] == "role"


@pytest.mark.parametrize("role", ["Coach", "Teacher"])
async def test_members_below_manager_cannot_invite_or_list(server, role):
    member, organization = await organization_run_by(server, role=role)

    assert_problem(
        await member.client.post(
            invites_path(organization), json={"email": "x@example.com", "role": "Teacher"}
        ),
        403,
        "FORBIDDEN",
    )
    assert_problem(await member.client.get(invites_path(organization)), 403, "FORBIDDEN")


async def test_inviting_an_address_that_is_already_an_active_member_is_409(server):
    admin, organization = await organization_run_by(server)
    member = await signed_in_user(server)
    await OrganizationUser.create(organization=organization, user_id=member.id, role_in_organization="Coach")

    response = await admin.client.post(
        invites_path(organization), json={"email": member.email.upper(), "role": "Teacher"}
    )

    assert_problem(response, 409, "CONFLICT")


async def test_a_removed_member_can_be_invited_and_accepting_reactivates_the_membership(server):
    admin, organization = await organization_run_by(server)
    former = await verified_user(server)
    membership = await OrganizationUser.create(
        organization=organization,
        user_id=former.id,
        role_in_organization="Teacher",
        status=MembershipStatus.REMOVED,
    )
    created = await invite(admin, organization, former.email, role="Coach")
    token = await _issue_known_token(created["id"])

    response = await former.client.post("/api/v1/invites/accept", json={"token": token})

    assert response.status_code == 200, response.text
    await membership.refresh_from_db()
    assert (membership.status, membership.role_in_organization) == (MembershipStatus.ACTIVE, "Coach")


async def test_a_foreign_invite_id_is_404_exactly_like_a_missing_one(server):
    admin, organization = await organization_run_by(server)
    other_admin, other = await organization_run_by(server)
    foreign = await invite(other_admin, other, "someone@example.com")
    path = invites_path(organization)

    for method, suffix in (("get", ""), ("delete", ""), ("post", "/resend")):
        kwargs = {"json": {}} if method == "post" else {}
        as_foreign = await getattr(admin.client, method)(f"{path}/{foreign['id']}{suffix}", **kwargs)
        as_missing = await getattr(admin.client, method)(f"{path}/{uuid.uuid4()}{suffix}", **kwargs)
        foreign_body = assert_problem(as_foreign, 404, "NOT_FOUND")
        missing_body = assert_problem(as_missing, 404, "NOT_FOUND")
        assert {**foreign_body, "request_id": None} == {**missing_body, "request_id": None}
    # and the other organization's own path is a 404 for a non-member
    assert_problem(await admin.client.get(invites_path(other)), 404, "NOT_FOUND")
    invite_row = await unscoped(Invite, reason="test").get(id=foreign["id"])
    assert invite_row.status == "pending"


async def test_a_manager_cannot_revoke_or_resend_an_invite_to_a_role_above_their_own(server):
    admin, organization = await organization_run_by(server)
    manager = await signed_in_user(server)
    await OrganizationUser.create(
        organization=organization, user_id=manager.id, role_in_organization="Manager"
    )
    created = await invite(admin, organization, "future-admin@example.com", role="OrganizationAdmin")
    path = f"{invites_path(organization)}/{created['id']}"

    assert_problem(await manager.client.delete(path), 403, "FORBIDDEN")
    assert_problem(await manager.client.post(f"{path}/resend", json={}), 403, "FORBIDDEN")
    assert (await admin.client.delete(path)).status_code == 200


async def test_the_list_is_paginated_newest_first_and_filtered_by_status(server):
    admin, organization = await organization_run_by(server)
    created = [await invite(admin, organization, f"n{number}@example.com") for number in range(3)]
    await admin.client.delete(f"{invites_path(organization)}/{created[0]['id']}")

    first = (await admin.client.get(invites_path(organization), params={"limit": 2})).json()
    second = (
        await admin.client.get(
            invites_path(organization), params={"limit": 2, "cursor": first["meta"]["next_cursor"]}
        )
    ).json()
    revoked = (await admin.client.get(invites_path(organization), params={"status": "revoked"})).json()

    assert first["meta"]["total_count"] == 3
    assert [i["id"] for i in first["data"] + second["data"]] == [i["id"] for i in reversed(created)]
    assert second["meta"]["next_cursor"] is None
    assert [i["id"] for i in revoked["data"]] == [created[0]["id"]]
    bad = await admin.client.get(invites_path(organization), params={"status": "lost"})
    assert_problem(bad, 400, "VALIDATION_ERROR")


async def test_an_untrusted_callback_url_is_a_400_and_invites_nobody(server):
    admin, organization = await organization_run_by(server)

    response = await admin.client.post(
        invites_path(organization),
        json={"email": "x@example.com", "role": "Teacher", "callback_url": "https://evil.example/join"},
    )

    body = assert_problem(response, 400, "VALIDATION_ERROR")
    assert body["errors"][0]["field"] == "callback_url"
    assert await unscoped(Invite, reason="test").count() == 0


async def test_mail_bombing_an_address_through_invites_is_bounded(server):
    admin, organization = await organization_run_by(server)
    email = "target@example.com"
    per_day = server.state.settings.organizations.invites_per_address_per_day
    await invite(admin, organization, email)

    # at once again: refused, whether as a new invite or as a resend
    too_soon = await admin.client.post(invites_path(organization), json={"email": email, "role": "Teacher"})
    assert_problem(too_soon, 429, "RATE_LIMITED")
    assert int(too_soon.headers["retry-after"]) >= 1
    for _ in range(per_day - 1):
        await move_time_on(email, 120)
        await invite(admin, organization, email)
    await move_time_on(email, 120)
    over_the_day = await admin.client.post(
        invites_path(organization), json={"email": email, "role": "Teacher"}
    )
    body = assert_problem(over_the_day, 429, "RATE_LIMITED")
    assert "24 hours" in body["detail"]
    # a day later the address may be invited again
    await move_time_on(email, 86_400)
    await invite(admin, organization, email)


async def test_resending_one_invite_is_bounded(server):
    admin, organization = await organization_run_by(server)
    created = await invite(admin, organization, "target@example.com")
    resend = f"{invites_path(organization)}/{created['id']}/resend"
    most = server.state.settings.organizations.invite_max_resends
    for _ in range(most):
        await move_time_on("target@example.com", 120)
        assert (await admin.client.post(resend, json={})).status_code == 200
    await move_time_on("target@example.com", 120)

    response = await admin.client.post(resend, json={})

    body = assert_problem(response, 422, "UNPROCESSABLE")
    assert "most allowed" in body["detail"]


async def test_only_a_pending_invite_can_be_resent(server):
    admin, organization = await organization_run_by(server)
    created = await invite(admin, organization, "target@example.com")
    await admin.client.delete(f"{invites_path(organization)}/{created['id']}")
    await move_time_on("target@example.com", 120)

    response = await admin.client.post(f"{invites_path(organization)}/{created['id']}/resend", json={})

    assert_problem(response, 422, "UNPROCESSABLE")


async def test_reading_someone_elses_invites_by_signing_up_with_their_address_is_refused(server):
    admin, organization = await organization_run_by(server, name="Secret Project")
    squatter = await signed_in_user(server)  # signed up with an address they do not own
    await invite(admin, organization, squatter.email, role="Manager")

    unverified = await squatter.client.get("/api/v1/me/invites")

    assert unverified.status_code == 200
    assert unverified.json() == {"data": [], "meta": {"total_count": 0, "limit": 50, "next_cursor": None}}
    # once the address is proven, the owner sees the invite
    await verify_email(squatter)
    mine = (await squatter.client.get("/api/v1/me/invites")).json()["data"]
    assert [(i["organization_name"], i["role"]) for i in mine] == [("Secret Project", "Manager")]


async def test_my_invites_are_pending_unexpired_ones_across_organizations(server):
    person = await verified_user(server)
    first_admin, first = await organization_run_by(server, name="First")
    second_admin, second = await organization_run_by(server, name="Second")
    third_admin, third = await organization_run_by(server, name="Third")
    await invite(first_admin, first, person.email)
    await invite(second_admin, second, person.email, role="Coach")
    revoked = await invite(third_admin, third, person.email)
    await third_admin.client.delete(f"{invites_path(third)}/{revoked['id']}")
    await invite(first_admin, first, "someone-else@example.com")

    mine = (await person.client.get("/api/v1/me/invites")).json()

    assert [(i["organization_name"], i["role"]) for i in mine["data"]] == [
        ("Second", "Coach"),
        ("First", "Teacher"),
    ]
    assert mine["meta"]["total_count"] == 2
    assert "token" not in str(mine)


async def test_signing_up_with_an_invite_for_a_taken_address_is_the_usual_409_and_changes_nothing(server):
    admin, organization = await organization_run_by(server)
    owner = await signed_in_user(server)
    created = await invite(admin, organization, owner.email)
    token = await _issue_known_token(created["id"])

    response = await server.client.post(
        "/api/v1/auth/sign-up",
        json={
            "name": "Someone",
            "nickname": "someone-else",
            "email": owner.email,
            "password": "correct-horse-battery",
            "invite_token": token,
        },
    )

    body = assert_problem(response, 409, "CONFLICT")
    assert body["detail"] == "An account with this email or nickname already exists"
    assert (await unscoped(Invite, reason="test").get(id=created["id"])).status == "pending"
    assert not await OrganizationUser.filter(organization_id=organization.id, user_id=owner.id).exists()


async def _issue_known_token(invite_id: str) -> str:
    """Give the invite a token this test knows (the real one is only in the email)."""
    token = new_token()
    await unscoped(Invite, reason="test").filter(id=invite_id).update(token_hash=hash_token(token))
    return token


@pytest.fixture
async def strict_server(make_settings, migrated_database, redis_url, start_app):  # type: ignore[no-untyped-def]
    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        organizations={"invites_per_address_per_day_everywhere": 2},
        rate_limits={
            "auth": {"limit": 1000, "period_seconds": 60},
            "auth_ip": {"limit": 1000, "period_seconds": 60},
        },
    )
    async with start_app(settings) as live:
        yield live


async def test_mail_bombing_an_address_from_many_self_made_organizations_is_bounded(strict_server):
    """Anyone may create organizations: the bound on invite mail to one address holds over
    all of them, not per organization only."""
    email = "victim@example.com"
    for _ in range(2):
        admin, organization = await organization_run_by(strict_server)
        await invite(admin, organization, email)
    admin, organization = await organization_run_by(strict_server)

    refused = await admin.client.post(invites_path(organization), json={"email": email, "role": "Teacher"})

    body = assert_problem(refused, 429, "RATE_LIMITED")
    assert "24 hours" in body["detail"]
    assert await unscoped(Invite, reason="test").filter(email=email).count() == 2
