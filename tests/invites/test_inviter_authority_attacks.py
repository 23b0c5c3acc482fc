"""An invite is worth what its inviter may still grant: a member who is removed (or
demoted) cannot come back, or place someone, through an invite they sent before."""

from __future__ import annotations

import pytest

from app.core.scoping import unscoped
from app.core.tokens import hash_token, new_token
from models import Invite, OrganizationUser
from tests.invites.support import accept, invite, organization_run_by, verified_user
from tests.problems import assert_problem

pytestmark = pytest.mark.many_sign_ins


async def known_token(invite_id: str) -> str:
    """Give the invite a token this test knows (the real one is only in the email)."""
    token = new_token()
    await unscoped(Invite, reason="test").filter(id=invite_id).update(token_hash=hash_token(token))
    return token


async def test_removed_member_cannot_rejoin_through_an_invite_they_sent_their_other_account(server):
    admin, organization = await organization_run_by(server)
    manager = await verified_user(server)
    await OrganizationUser.create(
        organization=organization, user_id=manager.id, role_in_organization="Manager"
    )
    second_account = await verified_user(server)
    sent = await invite(manager, organization, second_account.email, role="Manager")
    token = await known_token(sent["id"])

    removed = await admin.client.delete(f"/api/v1/organizations/{organization.id}/members/{manager.id}")
    assert removed.status_code == 200, removed.text
    response = await accept(second_account.client, token)

    assert_problem(response, 422, "INVALID_TOKEN")
    assert not await OrganizationUser.filter(
        organization_id=organization.id, user_id=second_account.id
    ).exists()


async def test_demoted_inviter_cannot_place_someone_above_their_new_role(server):
    admin, organization = await organization_run_by(server)
    manager = await verified_user(server)
    await OrganizationUser.create(
        organization=organization, user_id=manager.id, role_in_organization="Manager"
    )
    accomplice = await verified_user(server)
    sent = await invite(manager, organization, accomplice.email, role="Manager")
    token = await known_token(sent["id"])

    demoted = await admin.client.patch(
        f"/api/v1/organizations/{organization.id}/members/{manager.id}", json={"role": "Coach"}
    )
    assert demoted.status_code == 200, demoted.text
    response = await accept(accomplice.client, token)

    assert_problem(response, 422, "INVALID_TOKEN")
    assert not await OrganizationUser.filter(organization_id=organization.id, user_id=accomplice.id).exists()


async def test_signing_up_with_an_invite_from_a_removed_member_creates_nothing(server):
    admin, organization = await organization_run_by(server)
    manager = await verified_user(server)
    await OrganizationUser.create(
        organization=organization, user_id=manager.id, role_in_organization="Manager"
    )
    sent = await invite(manager, organization, "second-account@example.com", role="Manager")
    token = await known_token(sent["id"])
    await admin.client.delete(f"/api/v1/organizations/{organization.id}/members/{manager.id}")

    response = await server.client.post(
        "/api/v1/auth/sign-up",
        json={
            "name": "Second",
            "nickname": "second-account",
            "email": "second-account@example.com",
            "password": "correct-horse-battery",
            "invite_token": token,
        },
    )

    assert_problem(response, 422, "INVALID_TOKEN")
    assert (
        not await OrganizationUser.filter(organization_id=organization.id)
        .exclude(user_id__in=[admin.id, manager.id])
        .exists()
    )


async def test_an_invite_from_an_inviter_still_allowed_to_grant_its_role_is_accepted(server):
    admin, organization = await organization_run_by(server)
    manager = await verified_user(server)
    await OrganizationUser.create(
        organization=organization, user_id=manager.id, role_in_organization="Manager"
    )
    invitee = await verified_user(server)
    sent = await invite(manager, organization, invitee.email, role="Teacher")
    token = await known_token(sent["id"])
    # a Coach can no longer invite, but still holds the level of the Teacher invited
    await admin.client.patch(
        f"/api/v1/organizations/{organization.id}/members/{manager.id}", json={"role": "Coach"}
    )

    response = await accept(invitee.client, token)

    assert response.status_code == 200, response.text
    assert response.json()["data"]["role_in_organization"] == "Teacher"
