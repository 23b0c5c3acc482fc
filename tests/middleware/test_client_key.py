"""X-Client-Key (SPEC §1): checked before routing; 403 saying nothing more."""

from __future__ import annotations

from tests.conftest import ONE_DATABASE, SECOND_CLIENT_KEY
from tests.problems import assert_problem

pytestmark = ONE_DATABASE


async def test_missing_client_key_is_403_with_no_detail(server):
    response = await server.bare.post("/api/v1/auth/sign-in", json={"email": "a@b.co", "password": "x"})
    body = assert_problem(response, 403, "FORBIDDEN")
    assert body["title"] == "Forbidden"
    assert "detail" not in body


async def test_wrong_client_key_is_403(server):
    response = await server.bare.get("/api/v1/me", headers={"X-Client-Key": "cak_" + "W" * 44})
    assert_problem(response, 403, "FORBIDDEN")


async def test_unknown_path_without_client_key_is_403_not_404(server):
    response = await server.bare.get("/api/v1/does-not-exist")
    assert_problem(response, 403, "FORBIDDEN")


async def test_any_configured_client_key_is_accepted_during_rotation(server):
    response = await server.bare.get("/api/v1/me", headers={"X-Client-Key": SECOND_CLIENT_KEY})
    assert_problem(response, 401, "UNAUTHENTICATED")  # past the key check, stopped for no session


async def test_exempt_routes_answer_without_client_key(server):
    assert (await server.bare.get("/api")).status_code == 200
    assert (await server.bare.get("/api/health")).status_code == 200
    assert (await server.bare.get("/api/v1/openapi.json")).status_code == 200
    assert (await server.bare.get("/api/v1/docs")).status_code == 200


async def test_exemption_is_exact_not_a_prefix(server):
    response = await server.bare.get("/api/health-x")
    assert_problem(response, 403, "FORBIDDEN")
