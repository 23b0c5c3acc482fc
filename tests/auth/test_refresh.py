"""Bearer tokens: access lifetime, refresh rotation and reuse detection (SPEC §1, §2)."""

from __future__ import annotations

import asyncio

import pytest

from models import AuthSession, SpentRefreshToken
from tests.factories import PASSWORD, sign_up, signed_in_user
from tests.problems import assert_problem

REFRESH = "/api/v1/auth/refresh"


# refresh is under the `auth` policy; these tests refresh many times from one IP
pytestmark = pytest.mark.many_sign_ins


def shift_clock(server, seconds: float) -> None:
    store = server.state.sessions
    real = store.clock
    store.clock = lambda: real() + seconds


async def bearer_session(server) -> dict:
    user = await sign_up(server.client)
    response = await server.client.post(
        "/api/v1/auth/sign-in", json={"email": user["email"], "password": PASSWORD, "token": True}
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def me_status(server, token: str) -> int:
    response = await server.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    return response.status_code


async def refresh(server, token: str):  # type: ignore[no-untyped-def]
    return await server.client.post(REFRESH, json={"refresh_token": token})


async def test_sign_in_with_token_returns_a_short_lived_access_token(server):
    data = await bearer_session(server)
    lifetime = server.state.settings.sessions.access_token_seconds
    assert data["expires_in"] == lifetime
    assert await me_status(server, data["access_token"]) == 200
    shift_clock(server, lifetime - 30)
    assert await me_status(server, data["access_token"]) == 200
    shift_clock(server, 60)
    assert await me_status(server, data["access_token"]) == 401
    # the session itself lives on: the refresh token still gives a new pair
    response = await refresh(server, data["refresh_token"])
    assert response.status_code == 200, response.text
    assert await me_status(server, response.json()["data"]["access_token"]) == 200


async def test_cookie_sessions_are_not_cut_at_the_access_token_lifetime(server):
    person = await signed_in_user(server)
    shift_clock(server, server.state.settings.sessions.access_token_seconds + 60)
    assert (await person.client.get("/api/v1/me")).status_code == 200


async def test_refresh_rotates_both_tokens_of_the_same_session(server):
    data = await bearer_session(server)
    assert await me_status(server, data["access_token"]) == 200  # cached now
    response = await refresh(server, data["refresh_token"])
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    pair = response.json()["data"]
    assert set(pair) == {"access_token", "refresh_token", "expires_in"}
    assert pair["expires_in"] == server.state.settings.sessions.access_token_seconds
    assert pair["access_token"] != data["access_token"]
    assert pair["refresh_token"] != data["refresh_token"]
    assert await me_status(server, data["access_token"]) == 401  # the old one at once
    assert await me_status(server, pair["access_token"]) == 200
    sessions = await AuthSession.all()
    assert [str(session.id) for session in sessions] == [data["session"]["id"]]
    spent = await SpentRefreshToken.all()
    assert len(spent) == 1 and spent[0].session_id == sessions[0].id
    assert data["refresh_token"] not in spent[0].token_hash
    # and the new refresh token works in its turn
    again = await refresh(server, pair["refresh_token"])
    assert again.status_code == 200
    assert await me_status(server, again.json()["data"]["access_token"]) == 200


async def test_reusing_a_refresh_token_revokes_the_whole_session(server):
    data = await bearer_session(server)
    first = (await refresh(server, data["refresh_token"])).json()["data"]
    second = (await refresh(server, first["refresh_token"])).json()["data"]
    assert await me_status(server, second["access_token"]) == 200

    reused = await refresh(server, data["refresh_token"])  # a thief replays the first one
    assert_problem(reused, 401, "UNAUTHENTICATED")
    assert await me_status(server, second["access_token"]) == 401
    assert_problem(await refresh(server, second["refresh_token"]), 401, "UNAUTHENTICATED")
    session = await AuthSession.get(id=data["session"]["id"])
    assert session.revoked_at is not None


async def test_an_unknown_refresh_token_is_401_and_revokes_nothing(server):
    data = await bearer_session(server)
    response = await refresh(server, "A" * 43)
    assert_problem(response, 401, "UNAUTHENTICATED")
    assert await me_status(server, data["access_token"]) == 200
    assert (await refresh(server, data["refresh_token"])).status_code == 200


async def test_an_access_token_is_not_a_refresh_token(server):
    data = await bearer_session(server)
    assert_problem(await refresh(server, data["access_token"]), 401, "UNAUTHENTICATED")
    assert await me_status(server, data["access_token"]) == 200


async def test_a_malformed_body_is_400_and_nothing_changes(server):
    data = await bearer_session(server)
    for body in (
        {},
        {"refresh_token": "short"},
        {"refresh_token": "x" * 10_000},
        {"refresh_token": data["refresh_token"], "extra": 1},
    ):
        response = await server.client.post(REFRESH, json=body)
        assert_problem(response, 400, "VALIDATION_ERROR")
    assert await SpentRefreshToken.all().count() == 0
    assert await me_status(server, data["access_token"]) == 200
    assert (await refresh(server, data["refresh_token"])).status_code == 200


async def test_refresh_past_the_absolute_lifetime_is_401(server):
    data = await bearer_session(server)
    shift_clock(server, server.state.settings.sessions.absolute_lifetime_seconds + 1)
    assert_problem(await refresh(server, data["refresh_token"]), 401, "UNAUTHENTICATED")
    assert (await AuthSession.get(id=data["session"]["id"])).revoked_at is not None


async def test_refresh_after_sign_out_is_401(server):
    data = await bearer_session(server)
    headers = {"Authorization": f"Bearer {data['access_token']}"}
    assert (await server.client.post("/api/v1/auth/sign-out", headers=headers)).status_code == 200
    assert_problem(await refresh(server, data["refresh_token"]), 401, "UNAUTHENTICATED")


async def test_refresh_is_rate_limited_by_ip(make_settings, migrated_database, redis_url, start_app):
    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        rate_limits={"refresh": {"limit": 2, "period_seconds": 60}},
    )
    async with start_app(settings) as live:
        statuses = [(await refresh(live, "A" * 43)).status_code for _ in range(2)]
        assert statuses == [401, 401]
        response = await refresh(live, "A" * 43)
        assert_problem(response, 429, "RATE_LIMITED")
        assert int(response.headers["retry-after"]) >= 1


async def test_the_same_refresh_token_twice_at_once_is_reuse_too(server):
    data = await bearer_session(server)
    responses = await asyncio.gather(*(refresh(server, data["refresh_token"]) for _ in range(2)))
    assert sorted(response.status_code for response in responses) == [200, 401]
    winner = next(response for response in responses if response.status_code == 200)
    assert await me_status(server, winner.json()["data"]["access_token"]) == 401
