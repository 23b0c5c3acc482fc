"""Sign-up, sign-in (cookie and bearer), sign-out, GET /me (SPEC §2, §3)."""

from __future__ import annotations

import asyncio
from http.cookies import SimpleCookie

import orjson

from models import AuthSession, User
from tests.factories import PASSWORD, sign_up, signed_in_user
from tests.problems import assert_problem


async def test_sign_up_creates_account_and_hides_password(server):
    response = await server.client.post(
        "/api/v1/auth/sign-up",
        json={
            "name": "Ada Lovelace",
            "nickname": "ada",
            "email": "Ada@Example.com",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 201
    assert response.headers["location"] == "/api/v1/me"
    data = response.json()["data"]
    assert data["email"] == "ada@example.com"
    assert data["global_role"] is None
    assert "password" not in response.text and "hash" not in response.text
    user = await User.get(id=data["id"])
    assert user.password_hash.startswith("$argon2id$")


async def test_sign_up_with_taken_email_is_409_without_saying_which(server):
    existing = await sign_up(server.client)
    response = await server.client.post(
        "/api/v1/auth/sign-up",
        json={
            "name": "Other",
            "nickname": "someone-else",
            "email": existing["email"],
            "password": PASSWORD,
        },
    )
    body = assert_problem(response, 409, "CONFLICT")
    assert "email or nickname" in body["detail"]
    assert await User.all().count() == 1


async def test_sign_up_refuses_password_over_128_characters(server):
    response = await server.client.post(
        "/api/v1/auth/sign-up",
        json={
            "name": "Long",
            "nickname": "long",
            "email": "long@example.com",
            "password": "p" * 129,
        },
    )
    assert_problem(response, 400, "VALIDATION_ERROR")


async def test_sign_in_sets_hardened_cookie_without_pii(server):
    user = await sign_up(server.client)
    response = await server.client.post(
        "/api/v1/auth/sign-in", json={"email": user["email"], "password": PASSWORD}
    )
    assert response.status_code == 200
    raw = response.headers["set-cookie"]
    morsel = SimpleCookie(raw)["tandem_session"]
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    assert morsel["secure"] is True
    assert morsel["path"] == "/"
    assert user["email"] not in raw and user["id"] not in raw and user["nickname"] not in raw
    assert response.headers["cache-control"] == "no-store"
    # the documented shape (SignedIn): the token fields are there, and null, without `token: true`
    assert response.json()["data"]["access_token"] is None


async def test_session_token_is_stored_only_as_hash(server):
    user = await sign_up(server.client)
    response = await server.client.post(
        "/api/v1/auth/sign-in", json={"email": user["email"], "password": PASSWORD, "token": True}
    )
    token = response.json()["data"]["access_token"]
    session = await AuthSession.get(user_id=user["id"])
    assert token not in (session.token_hash, session.refresh_token_hash)
    assert len(session.token_hash) == 64


async def test_bearer_token_reaches_me(server):
    user = await sign_up(server.client)
    signed = await server.client.post(
        "/api/v1/auth/sign-in", json={"email": user["email"], "password": PASSWORD, "token": True}
    )
    data = signed.json()["data"]
    assert "set-cookie" not in signed.headers
    assert data["expires_in"] == server.state.settings.sessions.access_token_seconds
    assert data["refresh_token"]
    me = await server.client.get("/api/v1/me", headers={"Authorization": f"Bearer {data['access_token']}"})
    assert me.status_code == 200
    assert me.json()["data"]["id"] == user["id"]
    assert me.headers["cache-control"] == "no-store"


async def test_sign_in_with_wrong_password_is_401_like_unknown_account(server):
    user = await sign_up(server.client)
    wrong = await server.client.post(
        "/api/v1/auth/sign-in", json={"email": user["email"], "password": "nope-nope"}
    )
    unknown = await server.client.post(
        "/api/v1/auth/sign-in", json={"email": "nobody@example.com", "password": "nope-nope"}
    )
    assert (
        assert_problem(wrong, 401, "UNAUTHENTICATED")["detail"]
        == assert_problem(unknown, 401, "UNAUTHENTICATED")["detail"]
    )


async def test_me_without_session_is_401(server):
    assert_problem(await server.client.get("/api/v1/me"), 401, "UNAUTHENTICATED")


async def test_me_returns_the_signed_in_user(server):
    person = await signed_in_user(server)
    response = await person.client.get("/api/v1/me")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["id"] == person.id
    assert data["email_verified"] is False and data["mfa_enabled"] is False
    assert data["created_at"].endswith("Z")


async def test_tampered_cookie_is_401(server):
    person = await signed_in_user(server)
    value = person.cookie
    person.use_cookie(value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert_problem(await person.client.get("/api/v1/me"), 401, "UNAUTHENTICATED")


async def test_sign_out_revokes_the_session_and_clears_the_cookie(server):
    person = await signed_in_user(server)
    cookie = person.cookie
    response = await person.client.post("/api/v1/auth/sign-out")
    assert response.json() == {"success": True}
    assert (
        'tandem_session=""' in response.headers["set-cookie"] or "Max-Age=0" in response.headers["set-cookie"]
    )
    person.use_cookie(cookie)  # replaying the old cookie
    assert_problem(await person.client.get("/api/v1/me"), 401, "UNAUTHENTICATED")


async def test_a_user_agent_with_nul_still_signs_in(server):
    """Headers are bytes; PostgreSQL text takes no NUL. (Bytes that are not UTF-8 are a
    400 before any route runs: tests/middleware/test_malformed_requests.py.)"""
    user = await sign_up(server.client)
    body = orjson.dumps({"email": user["email"], "password": PASSWORD})
    host, port = server.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /api/v1/auth/sign-in HTTP/1.1\r\n"
        + f"Host: {host}\r\nX-Client-Key: {server.client.headers['x-client-key']}\r\n".encode()
        + b"User-Agent: Odd\x00Agent \xc3\xa9/1.0\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    answer = await reader.read()
    writer.close()

    assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
    stored = await AuthSession.get(user_id=user["id"])
    assert stored.user_agent == "OddAgent \u00e9/1.0"
