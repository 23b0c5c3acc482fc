"""SPEC §3 /me: settings, current organization, export, account deletion."""

from __future__ import annotations

import asyncio
import uuid

import pyotp
import pytest

from models import AuthSession, OrganizationUser, RecoveryCode, User
from tests.factories import PASSWORD, organization_with, sign_up, signed_in_user, verify_email
from tests.problems import assert_problem

pytestmark = pytest.mark.many_sign_ins


def nested(depth: int) -> dict:
    """{"a": {"a": … {}}}: JSON readers accept more depth than orjson writes."""
    value: dict = {}
    for _ in range(depth):
        value = {"a": value}
    return value


async def test_patch_me_changes_settings_and_me_shows_them_at_once(server):
    person = await signed_in_user(server)
    assert (await person.client.get("/api/v1/me")).status_code == 200  # snapshot cached

    response = await person.client.patch(
        "/api/v1/me", json={"timezone": "Europe/Paris", "locale": "fr-FR", "preferences": {"theme": "dark"}}
    )

    assert response.status_code == 200, response.text
    me = (await person.client.get("/api/v1/me")).json()["data"]
    assert (me["timezone"], me["locale"], me["preferences"]) == ("Europe/Paris", "fr-FR", {"theme": "dark"})
    # a partial update leaves the other fields alone
    await person.client.patch("/api/v1/me", json={"locale": "en-GB"})
    user = await User.get(id=person.id)
    assert (user.timezone, user.locale, user.preferences) == ("Europe/Paris", "en-GB", {"theme": "dark"})


@pytest.mark.parametrize("field", ["global_role", "email", "password_hash", "name", "mfa_enabled"])
async def test_patch_me_refuses_sensitive_fields_and_changes_nothing(server, field):
    person = await signed_in_user(server)
    before = await User.get(id=person.id)
    me_before = (await person.client.get("/api/v1/me")).json()["data"]

    response = await person.client.patch("/api/v1/me", json={"timezone": "Asia/Tokyo", field: "Owner"})

    body = assert_problem(response, 400, "VALIDATION_ERROR")
    assert body["errors"][0]["field"] == field
    assert (await person.client.get("/api/v1/me")).json()["data"] == me_before
    after = await User.get(id=person.id)
    assert (after.global_role, after.email, after.password_hash, after.timezone) == (
        before.global_role,
        before.email,
        before.password_hash,
        before.timezone,
    )


@pytest.mark.parametrize(
    "body",
    [
        {"timezone": "Mars/Olympus"},
        {"locale": "not a locale"},
        {"preferences": {f"k{n}": n for n in range(51)}},
        {"preferences": {"blob": "x" * 17_000}},
        {"preferences": ["not", "an", "object"]},
        {"timezone": None},
        {"preferences": nested(300)},
        {"preferences": None},
    ],
)
async def test_patch_me_refuses_bad_values(server, body):
    person = await signed_in_user(server)
    assert_problem(await person.client.patch("/api/v1/me", json=body), 400, "VALIDATION_ERROR")
    assert (await User.get(id=person.id)).timezone == "UTC"


async def test_me_endpoints_need_a_session(server):
    for method, path in [
        ("PATCH", "/api/v1/me"),
        ("PUT", "/api/v1/me/current-organization"),
        ("GET", "/api/v1/me/export"),
        ("DELETE", "/api/v1/me"),
    ]:
        response = await server.client.request(method, path, json={} if method != "GET" else None)
        assert_problem(response, 401, "UNAUTHENTICATED")


async def test_current_organization_can_be_one_of_mine_and_never_a_foreign_one(server):
    person = await signed_in_user(server)
    mine = await organization_with((person.id, "Coach"))
    stranger = await sign_up(server.client)
    foreign = await organization_with((stranger["id"], "OrganizationAdmin"))

    chosen = await person.client.put(
        "/api/v1/me/current-organization", json={"organization_id": str(mine.id)}
    )
    refused = await person.client.put(
        "/api/v1/me/current-organization", json={"organization_id": str(foreign.id)}
    )
    unknown = await person.client.put(
        "/api/v1/me/current-organization", json={"organization_id": str(uuid.uuid4())}
    )

    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["data"]["current_organization_id"] == str(mine.id)
    assert_problem(refused, 404, "NOT_FOUND")
    assert_problem(unknown, 404, "NOT_FOUND")
    # org-scoped routes now act in it without a header
    current = await person.client.get("/api/v1/organizations/current")
    assert current.json()["data"]["organization"]["id"] == str(mine.id)
    assert (await User.get(id=person.id)).current_organization_id == mine.id


async def test_export_holds_my_data_and_no_secret(server):
    person = await signed_in_user(server)
    organization = await organization_with((person.id, "Coach"), name="Acme Coaching")
    await verify_email(person)
    enrollment = (await person.client.post("/api/v1/auth/mfa/enroll", json={"password": PASSWORD})).json()[
        "data"
    ]

    response = await person.client.get("/api/v1/me/export")

    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith('attachment; filename="tandem-export-')
    data = response.json()["data"]
    assert data["user"]["email"] == person.email
    assert data["memberships"] == [
        {
            "organization_id": str(organization.id),
            "organization_name": "Acme Coaching",
            "role_in_organization": "Coach",
            "status": "active",
            "created_at": data["memberships"][0]["created_at"],
        }
    ]
    assert len(data["sessions"]) == 1 and data["sessions"][0]["revoked_at"] is None
    user = await User.get(id=person.id)
    session = await AuthSession.get(user_id=person.id)
    code_hashes = await RecoveryCode.filter(user_id=person.id).values_list("code_hash", flat=True)
    assert user.mfa_pending_secret and len(code_hashes) == data["recovery_codes_left"] == 10
    for secret in (
        user.password_hash,
        session.token_hash,
        user.mfa_pending_secret,
        *enrollment["recovery_codes"],
        *code_hashes,
    ):
        assert secret not in response.text


async def test_delete_me_anonymizes_and_ends_every_session(server):
    person = await signed_in_user(server)
    second = await signed_in_user(server)  # unrelated account, untouched
    other_session = await server.client.post(
        "/api/v1/auth/sign-in", json={"email": person.email, "password": PASSWORD, "token": True}
    )
    bearer = {"Authorization": f"Bearer {other_session.json()['data']['access_token']}"}
    await organization_with((person.id, "Coach"))

    response = await person.client.request("DELETE", "/api/v1/me", json={"password": PASSWORD})

    assert response.status_code == 200, response.text
    assert response.json() == {"success": True}
    assert_problem(await person.client.get("/api/v1/me"), 401, "UNAUTHENTICATED")
    assert_problem(await server.client.get("/api/v1/me", headers=bearer), 401, "UNAUTHENTICATED")
    user = await User.get(id=person.id)
    assert user.name == "Deleted user" and person.email not in user.email
    assert user.deleted_at is not None and user.mfa_secret is None
    assert await OrganizationUser.filter(user_id=person.id).count() == 0
    signed_in = await server.client.post(
        "/api/v1/auth/sign-in", json={"email": person.email, "password": PASSWORD}
    )
    assert_problem(signed_in, 401, "UNAUTHENTICATED")
    # the address is free again
    await sign_up(server.client, email=person.email)
    assert (await second.client.get("/api/v1/me")).status_code == 200


async def test_delete_me_with_a_wrong_password_changes_nothing(server):
    person = await signed_in_user(server)

    response = await person.client.request("DELETE", "/api/v1/me", json={"password": "wrong-password"})

    assert_problem(response, 422, "INCORRECT_PASSWORD")
    assert (await person.client.get("/api/v1/me")).status_code == 200
    assert (await User.get(id=person.id)).deleted_at is None
    missing = await person.client.request("DELETE", "/api/v1/me", json={})
    assert_problem(missing, 400, "VALIDATION_ERROR")


async def test_the_last_owner_cannot_delete_their_account(server):
    owner = await signed_in_user(server)
    await User.filter(id=owner.id).update(global_role="Owner")
    await server.state.sessions.refresh_users([uuid.UUID(owner.id)])

    refused = await owner.client.request("DELETE", "/api/v1/me", json={"password": PASSWORD})

    assert_problem(refused, 409, "CONFLICT")
    assert (await User.get(id=owner.id)).deleted_at is None
    second_owner = await sign_up(server.client)
    await User.filter(id=second_owner["id"]).update(global_role="Owner")
    allowed = await owner.client.request("DELETE", "/api/v1/me", json={"password": PASSWORD})
    assert allowed.status_code == 200, allowed.text


async def test_two_owners_deleting_themselves_at_once_leave_one_owner(server):
    owners = [await signed_in_user(server), await signed_in_user(server)]
    await User.filter(id__in=[owner.id for owner in owners]).update(global_role="Owner")
    for owner in owners:
        await server.state.sessions.refresh_users([uuid.UUID(owner.id)])

    responses = await asyncio.gather(
        *(owner.client.request("DELETE", "/api/v1/me", json={"password": PASSWORD}) for owner in owners)
    )

    assert sorted(response.status_code for response in responses) == [200, 409]
    assert await User.filter(global_role="Owner", deleted_at=None).count() == 1


async def test_a_deleted_user_with_mfa_cannot_finish_a_sign_in_started_before(server):
    person = await signed_in_user(server)
    await verify_email(person)
    secret = (await person.client.post("/api/v1/auth/mfa/enroll", json={"password": PASSWORD})).json()[
        "data"
    ]["secret"]
    activated = await person.client.post(
        "/api/v1/auth/mfa/activate", json={"code": pyotp.TOTP(secret).now(), "password": PASSWORD}
    )
    person.use_cookie(activated.cookies["tandem_session"])
    started = await server.client.post(
        "/api/v1/auth/sign-in", json={"email": person.email, "password": PASSWORD}
    )
    mfa_token = started.json()["data"]["mfa_token"]

    await person.client.request("DELETE", "/api/v1/me", json={"password": PASSWORD})

    finished = await server.client.post(
        "/api/v1/auth/mfa/verify", json={"mfa_token": mfa_token, "code": "123456"}
    )
    assert_problem(finished, 422, "INVALID_TOKEN")


async def test_the_last_organization_admin_cannot_erase_their_account_and_orphan_it(server):
    """Erasing removes every membership: as the organization's only admin that would leave
    it with nobody to run it (SPEC §5: the last OrganizationAdmin cannot be removed)."""
    admin = await signed_in_user(server)
    coach = await signed_in_user(server)
    organization = await organization_with((admin.id, "OrganizationAdmin"), (coach.id, "Coach"))

    refused = await admin.client.request("DELETE", "/api/v1/me", json={"password": PASSWORD})

    assert refused.status_code == 422, refused.text
    assert (await User.get(id=admin.id)).deleted_at is None
    assert await OrganizationUser.filter(organization_id=organization.id, user_id=admin.id).exists()
    promoted = await admin.client.patch(
        f"/api/v1/organizations/{organization.id}/members/{coach.id}", json={"role": "OrganizationAdmin"}
    )
    assert promoted.status_code == 200, promoted.text
    allowed = await admin.client.request("DELETE", "/api/v1/me", json={"password": PASSWORD})
    assert allowed.status_code == 200, allowed.text
