"""CORS (SPEC §1): only configured origins; preflights need no client key."""

from __future__ import annotations

import pytest

from tests.conftest import ONE_DATABASE

pytestmark = ONE_DATABASE

ALLOWED = "https://app.example.com"
UNLISTED = "https://evil.example.net"


@pytest.fixture
def settings(make_settings, migrated_database, redis_url):
    return make_settings(
        database={"url": migrated_database}, redis={"url": redis_url}, cors={"origins": [ALLOWED]}
    )


def preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-client-key, x-organization-id",
    }


async def test_a_preflight_from_a_configured_origin_is_allowed_without_a_client_key(server):
    response = await server.bare.options("/api/v1/auth/sign-in", headers=preflight(ALLOWED))

    assert response.status_code in (200, 204), response.text
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["access-control-allow-credentials"] == "true"
    allowed_headers = response.headers["access-control-allow-headers"].lower()
    assert {"content-type", "x-client-key", "x-organization-id"} <= {
        header.strip() for header in allowed_headers.split(",")
    }
    assert "POST" in response.headers["access-control-allow-methods"]


async def test_a_preflight_from_an_unlisted_origin_gets_no_allowance(server):
    response = await server.bare.options("/api/v1/auth/sign-in", headers=preflight(UNLISTED))

    assert response.status_code != 403
    assert "access-control-allow-origin" not in response.headers


async def test_answers_to_a_configured_origin_are_readable_there_errors_included(server):
    ok = await server.client.get("/api", headers={"Origin": ALLOWED})
    problem = await server.client.get("/api/v1/me", headers={"Origin": ALLOWED})

    for response in (ok, problem):
        assert response.headers["access-control-allow-origin"] == ALLOWED
        assert "origin" in response.headers["vary"].lower()
    assert problem.status_code == 401
    assert "x-request-id" in ok.headers["access-control-expose-headers"].lower()


async def test_answers_to_an_unlisted_origin_carry_no_allowance(server):
    response = await server.client.get("/api", headers={"Origin": UNLISTED})

    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


async def test_no_origin_is_allowed_when_none_is_configured(
    make_settings, migrated_database, redis_url, start_app
):
    settings = make_settings(database={"url": migrated_database}, redis={"url": redis_url})
    async with start_app(settings) as live:
        response = await live.client.get("/api", headers={"Origin": ALLOWED})
        assert "access-control-allow-origin" not in response.headers
