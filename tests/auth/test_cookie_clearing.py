"""Signing out clears the session cookie with the attributes it was set with: a browser
deletes a cookie only when the clearing one matches it, so a mismatch would leave the
session cookie in place."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.factories import PASSWORD, signed_in_user
from tests.live_server import LiveServer

SESSIONS = "/api/v1/auth/sessions"


def attributes(set_cookie: str) -> dict[str, str]:
    """`Name=value; Path=/; Secure` → {"path": "/", "secure": ""} (names lower-cased)."""
    _, *pairs = (part.strip() for part in set_cookie.split(";"))
    return {name.lower(): value for name, _, value in (pair.partition("=") for pair in pairs)}


def without_lifetime(found: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in found.items() if name not in {"max-age", "expires"}}


@pytest.fixture(params=[False, True], ids=["production", "dev"])
async def any_mode_server(
    request, make_settings, migrated_database, redis_url, start_app
) -> AsyncIterator[LiveServer]:
    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        server={"dev": request.param, "access_log": False},
        rate_limits={"auth": {"limit": 1000, "period_seconds": 60}},
    )
    async with start_app(settings) as live:
        yield live


async def sign_in_cookie(server: LiveServer, email: str) -> dict[str, str]:
    response = await server.client.post("/api/v1/auth/sign-in", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return attributes(response.headers["set-cookie"])


@pytest.mark.parametrize("how", ["sign-out", "revoke current session", "delete account"])
async def test_signing_out_cannot_leave_the_session_cookie_behind_by_clearing_another_cookie(
    any_mode_server: LiveServer, how: str
):
    server = any_mode_server
    person = await signed_in_user(server)
    set_with = await sign_in_cookie(server, person.email)
    if how == "sign-out":
        response = await person.client.post("/api/v1/auth/sign-out")
    elif how == "revoke current session":
        sessions = (await person.client.get(SESSIONS)).json()["data"]
        current = next(row for row in sessions if row["current"])
        response = await person.client.delete(f"{SESSIONS}/{current['id']}")
    else:
        response = await person.client.request("DELETE", "/api/v1/me", json={"password": PASSWORD})
    assert response.status_code == 200, response.text
    header = response.headers["set-cookie"]
    assert header.startswith('tandem_session=""')
    cleared_with = attributes(header)
    assert cleared_with["max-age"] == "0"
    assert without_lifetime(cleared_with) == without_lifetime(set_with)
    assert ("secure" in cleared_with) is not server.state.settings.server.dev
    assert {"path", "httponly", "samesite"} <= set(cleared_with)


@pytest.mark.parametrize("stale", ["revoked", "tampered"])
async def test_sign_out_with_a_stale_cookie_still_clears_it(any_mode_server: LiveServer, stale: str):
    """The cookie is HttpOnly: if sign-out left a dead one in place, the browser could not
    drop it and would send it on forever."""
    server = any_mode_server
    person = await signed_in_user(server)
    set_with = await sign_in_cookie(server, person.email)
    cookie = person.cookie
    if stale == "revoked":
        assert (await person.client.post("/api/v1/auth/sign-out")).status_code == 200
        person.use_cookie(cookie)  # the browser kept it (e.g. the first answer was lost)
    else:
        person.use_cookie(cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
    response = await person.client.post("/api/v1/auth/sign-out")
    assert response.status_code == 401 and response.json()["code"] == "UNAUTHENTICATED"
    header = response.headers["set-cookie"]
    assert header.startswith('tandem_session=""')
    cleared_with = attributes(header)
    assert cleared_with["max-age"] == "0"
    assert without_lifetime(cleared_with) == without_lifetime(set_with)


async def test_a_401_leaves_a_live_cookie_and_cookieless_requests_alone(any_mode_server: LiveServer):
    server = any_mode_server
    person = await signed_in_user(server)
    # no cookie at all: nothing to clear
    anonymous = await server.client.post("/api/v1/auth/sign-out")
    assert anonymous.status_code == 401 and "set-cookie" not in anonymous.headers
    # a dead bearer token wins over a live cookie: the 401 is the token's, the cookie stays
    with_bearer = await person.client.post("/api/v1/auth/sign-out", headers={"Authorization": "Bearer nope"})
    assert with_bearer.status_code == 401 and "set-cookie" not in with_bearer.headers
    assert (await person.client.get("/api/v1/me")).status_code == 200
