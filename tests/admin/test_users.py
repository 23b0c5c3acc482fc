"""SPEC §5 users administration: who may list, search, disable and grant global roles."""

from __future__ import annotations

import uuid

import pytest

from app.admin.users import service as users_service
from models import AuditEvent, User
from tests.factories import PASSWORD, sign_up, signed_in_user, signed_in_with_global_role
from tests.problems import assert_problem

pytestmark = pytest.mark.many_sign_ins

ADMIN_VIEW_FIELDS = {
    "id",
    "name",
    "nickname",
    "email",
    "global_role",
    "email_verified",
    "mfa_enabled",
    "disabled",
    "created_at",
    "deleted",
}


async def audit_actions(target_id: str) -> list[str]:
    rows = await AuditEvent.filter(target_type="user", target_id=target_id).order_by("created_at")
    return [row.action for row in rows]


async def test_users_administration_is_for_platform_admins_only(server):
    person = await signed_in_user(server)
    admin = await signed_in_with_global_role(server, "PlatformAdmin")

    assert_problem(await server.client.get("/api/v1/users"), 401, "UNAUTHENTICATED")
    assert_problem(await person.client.get("/api/v1/users"), 403, "FORBIDDEN")
    assert_problem(await person.client.post("/api/v1/users/search", json={"query": "a"}), 403, "FORBIDDEN")
    assert_problem(await person.client.get(f"/api/v1/users/{admin.id}"), 403, "FORBIDDEN")
    refused = await person.client.patch(f"/api/v1/users/{admin.id}", json={"disabled": True})
    assert_problem(refused, 403, "FORBIDDEN")
    listed = await admin.client.get("/api/v1/users")
    assert listed.status_code == 200, listed.text
    assert listed.headers["ratelimit-policy"].startswith('"admin"')


async def test_admin_view_of_a_user_holds_no_secret(server):
    admin = await signed_in_with_global_role(server, "PlatformAdmin")
    person = await signed_in_user(server)
    await User.filter(id=person.id).update(mfa_secret="JBSWY3DPEHPK3PXP", mfa_pending_secret="X" * 32)

    response = await admin.client.get(f"/api/v1/users/{person.id}")

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert set(data) == ADMIN_VIEW_FIELDS
    assert (data["email"], data["disabled"], data["deleted"]) == (person.email, False, False)
    user = await User.get(id=person.id)
    for secret in (user.password_hash, "JBSWY3DPEHPK3PXP", "X" * 32):
        assert secret not in response.text


async def test_unknown_user_is_404(server):
    admin = await signed_in_with_global_role(server, "PlatformAdmin")
    missing = uuid.uuid4()
    assert_problem(await admin.client.get(f"/api/v1/users/{missing}"), 404, "NOT_FOUND")
    assert_problem(
        await admin.client.patch(f"/api/v1/users/{missing}", json={"disabled": True}), 404, "NOT_FOUND"
    )


async def test_user_list_filters_by_disabled_and_global_role(server):
    admin = await signed_in_with_global_role(server, "PlatformAdmin")
    plain = await sign_up(server.client)
    disabled = await sign_up(server.client)
    await User.filter(id=disabled["id"]).update(disabled=True)

    async def ids(query: str) -> set[str]:
        response = await admin.client.get(f"/api/v1/users{query}")
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["data"]}

    assert await ids("") == {admin.id, plain["id"], disabled["id"]}
    assert await ids("?disabled=true") == {disabled["id"]}
    assert await ids("?disabled=false") == {admin.id, plain["id"]}
    assert await ids("?global_role=PlatformAdmin") == {admin.id}
    assert await ids("?global_role=none") == {plain["id"], disabled["id"]}
    assert_problem(await admin.client.get("/api/v1/users?global_role=Coach"), 400, "VALIDATION_ERROR")


async def test_search_by_body_finds_name_nickname_and_email_case_insensitively(server):
    admin = await signed_in_with_global_role(server, "PlatformAdmin")
    ada = await sign_up(
        server.client, name="Ada Lovelace", nickname="countess", email="ada@analytical.example"
    )
    await sign_up(server.client, name="Grace Hopper", nickname="amazing-grace", email="grace@navy.example")

    async def found(query: str) -> list[str]:
        response = await admin.client.post("/api/v1/users/search", json={"query": query})
        assert response.status_code == 200, response.text
        # the personal data stayed in the body: nothing of it reached the URL
        assert query.lower() not in str(response.request.url).lower()
        return [item["id"] for item in response.json()["data"]]

    assert await found("LOVELACE") == [ada["id"]]
    assert await found("Countess") == [ada["id"]]
    assert await found("ANALYTICAL.example") == [ada["id"]]
    assert await found("%") == []  # a LIKE wildcard is matched literally
    assert len(await found("EXAMPLE")) == 3  # every address, the admin's own too


async def test_search_pages_through_the_body_and_its_cursor_is_bound_to_its_query(server):
    admin = await signed_in_with_global_role(server, "PlatformAdmin")
    created = [(await sign_up(server.client, name=f"Pager {n}"))["id"] for n in range(5)]

    seen: list[str] = []
    body: dict = {"query": "pager", "limit": 2}
    while True:
        response = await admin.client.post("/api/v1/users/search", json=body)
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["meta"]["total_count"] == 5
        seen += [item["id"] for item in page["data"]]
        if page["meta"]["next_cursor"] is None:
            break
        body = {"query": "pager", "limit": 2, "cursor": page["meta"]["next_cursor"]}

    assert seen == list(reversed(created))
    first = await admin.client.post("/api/v1/users/search", json={"query": "pager", "limit": 2})
    borrowed = {"query": "person", "cursor": first.json()["meta"]["next_cursor"]}
    assert_problem(await admin.client.post("/api/v1/users/search", json=borrowed), 400, "INVALID_CURSOR")


@pytest.mark.parametrize(
    "body", [{"query": ""}, {"query": "x" * 255}, {}, {"query": "a", "email": "a@b.example"}]
)
async def test_search_refuses_an_empty_overlong_or_unknown_query(server, body):
    admin = await signed_in_with_global_role(server, "PlatformAdmin")
    response = await admin.client.post("/api/v1/users/search", json=body)
    assert_problem(response, 400, "VALIDATION_ERROR")


async def test_search_terms_in_the_url_are_refused(server):
    admin = await signed_in_with_global_role(server, "PlatformAdmin")
    response = await admin.client.get("/api/v1/users", params={"query": "someone@example.com"})
    assert_problem(response, 400, "VALIDATION_ERROR")


async def test_platform_admin_granting_a_global_role_is_refused(server):
    admin = await signed_in_with_global_role(server, "PlatformAdmin")
    person = await sign_up(server.client)

    for role in ("PlatformAdmin", "Owner"):
        response = await admin.client.patch(f"/api/v1/users/{person['id']}", json={"global_role": role})
        assert_problem(response, 403, "FORBIDDEN")
    withdraw = await admin.client.patch(f"/api/v1/users/{admin.id}", json={"global_role": None})
    assert_problem(withdraw, 403, "FORBIDDEN")

    assert (await User.get(id=person["id"])).global_role is None
    assert (await User.get(id=admin.id)).global_role == "PlatformAdmin"
    assert await audit_actions(person["id"]) == []


async def test_owner_grants_a_global_role_and_the_users_next_request_has_it(server):
    owner = await signed_in_with_global_role(server, "Owner")
    person = await signed_in_user(server)
    assert_problem(await person.client.get("/api/v1/users"), 403, "FORBIDDEN")  # snapshot cached

    granted = await owner.client.patch(f"/api/v1/users/{person.id}", json={"global_role": "PlatformAdmin"})

    assert granted.status_code == 200, granted.text
    assert granted.json()["data"]["global_role"] == "PlatformAdmin"
    assert (await person.client.get("/api/v1/users")).status_code == 200
    withdrawn = await owner.client.patch(f"/api/v1/users/{person.id}", json={"global_role": None})
    assert withdrawn.json()["data"]["global_role"] is None
    assert_problem(await person.client.get("/api/v1/users"), 403, "FORBIDDEN")
    assert await audit_actions(person.id) == ["user.global_role_changed", "user.global_role_changed"]
    row = await AuditEvent.filter(target_id=person.id).first()
    assert (str(row.actor_id), row.changed_fields) == (owner.id, ["global_role"])


async def test_the_last_owner_cannot_withdraw_their_own_role(server):
    owner = await signed_in_with_global_role(server, "Owner")
    response = await owner.client.patch(f"/api/v1/users/{owner.id}", json={"global_role": "PlatformAdmin"})
    assert_problem(response, 409, "CONFLICT")
    assert (await User.get(id=owner.id)).global_role == "Owner"


async def test_disabling_an_owner_as_platform_admin_is_refused(server):
    owner = await signed_in_with_global_role(server, "Owner")
    admin = await signed_in_with_global_role(server, "PlatformAdmin")

    response = await admin.client.patch(f"/api/v1/users/{owner.id}", json={"disabled": True})

    assert_problem(response, 403, "FORBIDDEN")
    assert (await User.get(id=owner.id)).disabled is False
    assert (await owner.client.get("/api/v1/me")).status_code == 200


async def test_an_owner_may_disable_another_owner(server):
    owner = await signed_in_with_global_role(server, "Owner")
    second = await signed_in_with_global_role(server, "Owner")
    response = await owner.client.patch(f"/api/v1/users/{second.id}", json={"disabled": True})
    assert response.status_code == 200, response.text
    assert_problem(await second.client.get("/api/v1/me"), 401, "UNAUTHENTICATED")


@pytest.mark.parametrize("role", ["PlatformAdmin", "Owner"])
async def test_disabling_oneself_is_refused(server, role):
    admin = await signed_in_with_global_role(server, role)
    response = await admin.client.patch(f"/api/v1/users/{admin.id}", json={"disabled": True})
    assert_problem(response, 403, "FORBIDDEN")
    assert (await admin.client.get("/api/v1/me")).status_code == 200


async def test_disabling_ends_every_session_at_once_even_when_cached(server):
    admin = await signed_in_with_global_role(server, "PlatformAdmin")
    person = await signed_in_user(server)
    bearer = await server.client.post(
        "/api/v1/auth/sign-in", json={"email": person.email, "password": PASSWORD, "token": True}
    )
    token = bearer.json()["data"]["access_token"]
    # both sessions are now in the session caches
    assert (await person.client.get("/api/v1/me")).status_code == 200
    assert (await server.bare.get("/api/v1/me", headers=_bearer(server, token))).status_code == 200

    response = await admin.client.patch(f"/api/v1/users/{person.id}", json={"disabled": True})

    assert response.status_code == 200, response.text
    assert response.json()["data"]["disabled"] is True
    assert_problem(await person.client.get("/api/v1/me"), 401, "UNAUTHENTICATED")
    assert_problem(
        await server.bare.get("/api/v1/me", headers=_bearer(server, token)), 401, "UNAUTHENTICATED"
    )
    assert await audit_actions(person.id) == ["user.disabled"]
    row = await AuditEvent.get(action="user.disabled")
    assert (str(row.actor_id), row.changed_fields) == (admin.id, ["disabled"])


async def test_disabled_user_sign_in_is_refused_like_a_wrong_password_until_enabled(server):
    admin = await signed_in_with_global_role(server, "PlatformAdmin")
    person = await sign_up(server.client)
    await admin.client.patch(f"/api/v1/users/{person['id']}", json={"disabled": True})

    disabled = await server.client.post(
        "/api/v1/auth/sign-in", json={"email": person["email"], "password": PASSWORD}
    )
    wrong = await server.client.post(
        "/api/v1/auth/sign-in", json={"email": person["email"], "password": "not-the-password"}
    )

    # the same answer as a wrong password: a disabled account is not told apart
    assert assert_problem(disabled, 401, "UNAUTHENTICATED")["detail"] == wrong.json()["detail"]
    enabled = await admin.client.patch(f"/api/v1/users/{person['id']}", json={"disabled": False})
    assert enabled.json()["data"]["disabled"] is False
    again = await server.client.post(
        "/api/v1/auth/sign-in", json={"email": person["email"], "password": PASSWORD}
    )
    assert again.status_code == 200, again.text
    assert await audit_actions(person["id"]) == ["user.disabled", "user.enabled"]


async def test_an_erased_account_cannot_be_enabled(server):
    admin = await signed_in_with_global_role(server, "PlatformAdmin")
    person = await signed_in_user(server)
    erased = await person.client.request("DELETE", "/api/v1/me", json={"password": PASSWORD})
    assert erased.status_code == 200, erased.text

    response = await admin.client.patch(f"/api/v1/users/{person.id}", json={"disabled": False})

    assert_problem(response, 422, "UNPROCESSABLE")
    assert (await User.get(id=person.id)).disabled is True


@pytest.mark.parametrize(
    "body", [{"disabled": None}, {"disabled": "yes"}, {"global_role": "Coach"}, {"email": "x@y.example"}]
)
async def test_patch_refuses_bad_or_unknown_fields(server, body):
    owner = await signed_in_with_global_role(server, "Owner")
    person = await sign_up(server.client)
    response = await owner.client.patch(f"/api/v1/users/{person['id']}", json=body)
    assert_problem(response, 400, "VALIDATION_ERROR")


async def test_a_change_that_fails_leaves_no_audit_row(server, monkeypatch):
    """The audit row commits with the change or not at all (same transaction)."""
    admin = await signed_in_with_global_role(server, "PlatformAdmin")
    person = await signed_in_user(server)

    async def revocation_fails(*args, **kwargs):
        raise RuntimeError("the database went away mid-change")

    monkeypatch.setattr(users_service.session_effects, "revoke_all", revocation_fails)
    response = await admin.client.patch(f"/api/v1/users/{person.id}", json={"disabled": True})

    assert_problem(response, 500, "INTERNAL_ERROR")
    assert (await User.get(id=person.id)).disabled is False
    assert await AuditEvent.filter(action="user.disabled").count() == 0
    assert (await person.client.get("/api/v1/me")).status_code == 200


def _bearer(server, token: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {**dict(server.client.headers), "Authorization": f"Bearer {token}"}
