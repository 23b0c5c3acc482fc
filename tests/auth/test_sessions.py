"""My sessions: listing, revoking one, revoking the others, rotating a token (SPEC §2)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.cookies import SimpleCookie

import pytest

from app.auth import service
from app.core.errors import Unauthenticated
from models import AuthSession
from tests.factories import PASSWORD, sign_up, signed_in_user
from tests.mail import text_of
from tests.problems import assert_problem

SESSIONS = "/api/v1/auth/sessions"


# these tests sign the same account in many times from one IP
pytestmark = pytest.mark.many_sign_ins


async def bearer_sign_in(server, email: str, user_agent: str = "phone-app/1.0") -> dict:
    response = await server.client.post(
        "/api/v1/auth/sign-in",
        json={"email": email, "password": PASSWORD, "token": True},
        headers={"User-Agent": user_agent},
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def status_of_me(server, token: str) -> int:
    return (await server.client.get("/api/v1/me", headers=bearer(token))).status_code


async def test_lists_my_live_sessions_with_the_current_one_marked(server):
    person = await signed_in_user(server)
    phone = await bearer_sign_in(server, person.email)
    other = await signed_in_user(server)  # someone else's session is never listed

    response = await person.client.get(SESSIONS)
    assert response.status_code == 200
    body = response.json()
    assert body["meta"]["total_count"] == 2
    rows = body["data"]
    assert [row["id"] for row in rows] == [phone["session"]["id"], rows[1]["id"]]  # newest first
    by_kind = {row["kind"]: row for row in rows}
    assert by_kind["cookie"]["current"] is True and by_kind["bearer"]["current"] is False
    assert by_kind["bearer"]["user_agent"] == "phone-app/1.0"
    assert by_kind["bearer"]["ip_address"] == "127.0.0.1"
    assert set(by_kind["cookie"]) == {
        "id",
        "created_at",
        "last_seen_at",
        "ip_address",
        "user_agent",
        "kind",
        "current",
    }
    assert by_kind["cookie"]["created_at"].endswith("Z")
    assert "hash" not in response.text and phone["access_token"] not in response.text
    other_ids = {row["id"] for row in (await other.client.get(SESSIONS)).json()["data"]}
    assert other_ids.isdisjoint(row["id"] for row in rows)

    # from the phone, the phone's session is the current one
    seen_by_phone = (await server.client.get(SESSIONS, headers=bearer(phone["access_token"]))).json()
    assert [row["id"] for row in seen_by_phone["data"] if row["current"]] == [phone["session"]["id"]]


async def test_signed_out_sessions_are_not_listed(server):
    person = await signed_in_user(server)
    phone = await bearer_sign_in(server, person.email)
    await server.client.post("/api/v1/auth/sign-out", headers=bearer(phone["access_token"]))
    rows = (await person.client.get(SESSIONS)).json()["data"]
    assert [row["kind"] for row in rows] == ["cookie"]


async def test_listing_needs_a_session_and_a_valid_query(server):
    person = await signed_in_user(server)
    assert_problem(await server.client.get(SESSIONS), 401, "UNAUTHENTICATED")
    body = assert_problem(await person.client.get(SESSIONS, params={"limit": 0}), 400, "VALIDATION_ERROR")
    assert body["errors"][0]["field"] == "limit"
    assert_problem(await person.client.get(SESSIONS, params={"colour": "red"}), 400, "VALIDATION_ERROR")


async def test_revoking_one_of_my_sessions_ends_it(server):
    person = await signed_in_user(server)
    phone = await bearer_sign_in(server, person.email)
    response = await person.client.delete(f"{SESSIONS}/{phone['session']['id']}")
    assert response.json() == {"success": True}
    assert "set-cookie" not in response.headers  # not the current one: the cookie stays
    assert await status_of_me(server, phone["access_token"]) == 401
    assert (await person.client.get("/api/v1/me")).status_code == 200
    rows = (await person.client.get(SESSIONS)).json()["data"]
    assert [row["kind"] for row in rows] == ["cookie"]
    # already revoked: it is no longer one of my sessions
    again = await person.client.delete(f"{SESSIONS}/{phone['session']['id']}")
    assert_problem(again, 404, "NOT_FOUND")


async def test_revoking_the_current_session_signs_out(server):
    person = await signed_in_user(server)
    cookie = person.cookie
    current = next(row for row in (await person.client.get(SESSIONS)).json()["data"] if row["current"])
    response = await person.client.delete(f"{SESSIONS}/{current['id']}")
    assert response.json() == {"success": True}
    # emptied and expired both ways (app/auth/cookies.py): Max-Age=0, and a past Expires
    # for clients that ignore Max-Age
    cleared = SimpleCookie(response.headers["set-cookie"])["tandem_session"]
    assert cleared.value == ""
    assert cleared["max-age"] == "0"
    assert parsedate_to_datetime(cleared["expires"]) < datetime.now(UTC)
    person.use_cookie(cookie)
    assert_problem(await person.client.get("/api/v1/me"), 401, "UNAUTHENTICATED")


async def test_another_users_session_or_an_unknown_one_is_404_and_untouched(server):
    person = await signed_in_user(server)
    stranger = await signed_in_user(server)
    strangers_phone = await bearer_sign_in(server, stranger.email)
    for session_id in (strangers_phone["session"]["id"], str(uuid.uuid4())):
        body = assert_problem(await person.client.delete(f"{SESSIONS}/{session_id}"), 404, "NOT_FOUND")
        assert session_id not in body.get("detail", "")
    assert await status_of_me(server, strangers_phone["access_token"]) == 200
    assert await AuthSession.filter(revoked_at__not_isnull=True).count() == 0


async def test_a_malformed_session_id_is_400_and_nothing_changes(server):
    person = await signed_in_user(server)
    body = assert_problem(await person.client.delete(f"{SESSIONS}/not-a-uuid"), 400, "VALIDATION_ERROR")
    assert body["errors"] == [{"field": "session_id", "message": "not a session id"}]
    assert (await person.client.get("/api/v1/me")).status_code == 200
    assert await AuthSession.filter(revoked_at__not_isnull=True).count() == 0


async def test_revoking_needs_a_session(server):
    person = await signed_in_user(server)
    session_id = (await person.client.get(SESSIONS)).json()["data"][0]["id"]
    assert_problem(await server.client.delete(f"{SESSIONS}/{session_id}"), 401, "UNAUTHENTICATED")
    assert_problem(await server.client.post(f"{SESSIONS}/revoke-others"), 401, "UNAUTHENTICATED")
    assert (await person.client.get("/api/v1/me")).status_code == 200


async def test_revoke_others_ends_every_other_session_of_mine_only(server):
    person = await signed_in_user(server)
    phones = [await bearer_sign_in(server, person.email, f"phone/{n}") for n in range(2)]
    stranger = await signed_in_user(server)
    response = await person.client.post(f"{SESSIONS}/revoke-others")
    assert response.json() == {"success": True}
    for phone in phones:
        assert await status_of_me(server, phone["access_token"]) == 401
    assert (await person.client.get("/api/v1/me")).status_code == 200
    assert (await stranger.client.get("/api/v1/me")).status_code == 200
    rows = (await person.client.get(SESSIONS)).json()["data"]
    assert len(rows) == 1 and rows[0]["current"] is True


async def test_revoke_others_reaches_another_processs_cache(server, start_app):
    """A second API process (same Redis) has the phone's session in its local cache."""
    async with start_app(server.state.settings) as other:
        person = await signed_in_user(server)
        phone = await bearer_sign_in(server, person.email)
        assert await status_of_me(other, phone["access_token"]) == 200  # cached there now
        assert (await person.client.post(f"{SESSIONS}/revoke-others")).status_code == 200
        for _ in range(50):  # the revocation travels over Redis pub/sub
            status = await status_of_me(other, phone["access_token"])
            if status == 401:
                break
        assert status == 401


async def test_revoke_others_refuses_a_body_with_fields_and_changes_nothing(server):
    person = await signed_in_user(server)
    phone = await bearer_sign_in(server, person.email)
    body = assert_problem(
        await person.client.post(f"{SESSIONS}/revoke-others", json={"all": True}),
        400,
        "VALIDATION_ERROR",
    )
    assert body["errors"][0]["field"] == "all"
    assert await status_of_me(server, phone["access_token"]) == 200


async def test_rotate_gives_the_same_session_a_new_token_and_ends_the_old_one(server, start_app):
    """SessionStore.rotate, called after a privilege change (MFA switched on)."""
    async with start_app(server.state.settings) as other:
        person = await signed_in_user(server)
        phone = await bearer_sign_in(server, person.email)
        old = phone["access_token"]
        assert await status_of_me(other, old) == 200  # cached in the other process
        store = server.state.sessions
        principal = await store.principal_for(old)
        new = await store.rotate(principal)
        assert new != old
        assert await status_of_me(server, old) == 401
        for _ in range(50):
            status = await status_of_me(other, old)
            if status == 401:
                break
        assert status == 401
        assert await status_of_me(server, new) == 200
        listed = (await server.client.get(SESSIONS, headers=bearer(new))).json()["data"]
        assert [row["id"] for row in listed if row["current"]] == [phone["session"]["id"]]
        # the rotated-away token cannot be rotated again
        with pytest.raises(Unauthenticated):
            await store.rotate(principal)
        # the refresh token still belongs to the session
        refreshed = await server.client.post(
            "/api/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]}
        )
        assert refreshed.status_code == 200


async def test_sessions_routes_are_documented(server):
    document = (await server.bare.get("/api/v1/openapi.json")).json()
    paths = document["paths"]
    assert {"401", "429"} <= set(paths["/api/v1/auth/sessions"]["get"]["responses"])
    delete = next(
        operation
        for path, item in paths.items()
        if path.startswith("/api/v1/auth/sessions/{")
        for method, operation in item.items()
        if method == "delete"
    )
    assert {"400", "401", "404"} <= set(delete["responses"])
    assert [(item["name"], item["in"]) for item in delete["parameters"]] == [("session_id", "path")]
    assert {"400", "401"} <= set(paths["/api/v1/auth/sessions/revoke-others"]["post"]["responses"])
    assert {"400", "401", "429"} <= set(paths["/api/v1/auth/refresh"]["post"]["responses"])


async def test_a_sign_in_from_a_new_device_emails_a_notice(mail_server, smtp_server, monkeypatch):
    user = await sign_up(mail_server.client)
    staged: list[str] = []  # every notice staged, in order (delivery order is not guaranteed)
    original = service.stage_email

    async def stage_email(work, template, *, to, context):  # type: ignore[no-untyped-def]
        staged.append(context.get("user_agent", template))
        return await original(work, template, to=to, context=context)

    monkeypatch.setattr(service, "stage_email", stage_email)

    async def sign_in_from(user_agent: str) -> None:
        response = await mail_server.client.post(
            "/api/v1/auth/sign-in",
            json={"email": user["email"], "password": PASSWORD},
            headers={"User-Agent": user_agent},
        )
        assert response.status_code == 200, response.text

    await sign_in_from("laptop/1")  # the first sign-in ever: nothing to compare with
    await sign_in_from("laptop/1")  # a known device
    assert staged == []
    await sign_in_from("phone/7")  # new
    await sign_in_from("phone/7")  # known now
    assert staged == ["phone/7"]
    first = await smtp_server.inbox.wait_for(user["email"], "new sign-in")
    assert "phone/7" in text_of(first) and "127.0.0.1" in text_of(first)
    assert "Hello " + user["name"] in text_of(first)
    await sign_in_from("tablet/2")  # new
    assert staged == ["phone/7", "tablet/2"]
    second = await smtp_server.inbox.wait_for(user["email"], "new sign-in", count=2)
    assert "tablet/2" in text_of(second)
