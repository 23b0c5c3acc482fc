"""Mounts (app.core.mount): one capability served under two prefixes gives the same answers,
and errors in the shape of the mount they happen under."""

from __future__ import annotations

import dataclasses

import pytest
from sanic.response import HTTPResponse, json

from app.capabilities import API_V1, CAPABILITIES, ROOT
from app.core.errors import ApiError
from app.core.mount import InvalidMount, Mount
from tests.conftest import ONE_DATABASE
from tests.factories import PASSWORD, signed_in_user, use_cookie
from tests.problems import assert_problem


def plain_error(error: ApiError, request_id: str | None) -> HTTPResponse:
    """An error shape other than RFC 9457, as another generation of clients might expect."""
    return json(
        {"error": {"code": error.code, "message": error.title}}, status=error.status, headers=error.headers
    )


LEGACY = Mount("/api", render_error=plain_error, documented=False)
# me and auth also under /api, with plain errors
TWICE = tuple(
    dataclasses.replace(capability, mounts=(API_V1, LEGACY))
    if capability.name in {"me", "auth"}
    else capability
    for capability in CAPABILITIES
)


def assert_plain_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"error": {"code": code, "message": response.json()["error"]["message"]}}


@ONE_DATABASE  # what a mount changes is the same on either database
async def test_capability_at_two_mounts_gives_the_same_answers(settings, start_app):
    async with start_app(settings, capabilities=TWICE) as live:
        person = await signed_in_user(live)

        at_v1 = await person.client.get("/api/v1/me")
        at_legacy = await person.client.get("/api/me")

        assert at_v1.status_code == at_legacy.status_code == 200
        assert at_v1.json() == at_legacy.json()
        assert at_legacy.json()["data"]["id"] == person.id
        changed = await person.client.patch("/api/me", json={"locale": "fr-FR"})
        assert changed.status_code == 200, changed.text
        assert (await person.client.get("/api/v1/me")).json()["data"]["locale"] == "fr-FR"


@ONE_DATABASE
async def test_location_names_the_mount_the_request_came_through(settings, start_app):
    async with start_app(settings, capabilities=TWICE) as live:
        body = {"name": "Ana", "nickname": "ana", "email": "ana@example.com", "password": PASSWORD}
        legacy = await live.client.post("/api/auth/sign-up", json=body)
        v1 = await live.client.post(
            "/api/v1/auth/sign-up", json={**body, "email": "bo@example.com", "nickname": "bob"}
        )

    assert legacy.status_code == v1.status_code == 201, (legacy.text, v1.text)
    assert legacy.headers["location"] == "/api/me"
    assert v1.headers["location"] == "/api/v1/me"


@ONE_DATABASE
async def test_each_mount_renders_the_same_error_in_its_own_shape(settings, start_app):
    async with start_app(settings, capabilities=TWICE) as live:
        anonymous_v1 = await live.client.get("/api/v1/me")
        anonymous_legacy = await live.client.get("/api/me")
        head_legacy = await live.client.head("/api/me")
        person = await signed_in_user(live)
        json_body = {"Content-Type": "application/json"}
        bad_json_v1 = await person.client.patch("/api/v1/me", content=b"{not json", headers=json_body)
        bad_json_legacy = await person.client.patch("/api/me", content=b"{not json", headers=json_body)
        use_cookie(person.client, "tampered")
        tampered = await person.client.get("/api/me")

    assert_problem(anonymous_v1, 401, "UNAUTHENTICATED")
    assert_plain_error(anonymous_legacy, 401, "UNAUTHENTICATED")
    # HEAD and OPTIONS routes belong to the mount of their path
    assert head_legacy.status_code == 401
    assert head_legacy.headers["content-type"] == "application/json"
    assert_problem(bad_json_v1, 400, "MALFORMED_JSON")
    assert_plain_error(bad_json_legacy, 400, "MALFORMED_JSON")
    assert_plain_error(tampered, 401, "UNAUTHENTICATED")


@ONE_DATABASE
async def test_unrouted_requests_are_answered_by_the_mount_holding_the_path(settings, start_app):
    async with start_app(settings, capabilities=TWICE) as live:
        under_v1 = await live.client.get("/api/v1/nothing-here")
        under_legacy = await live.client.get("/api/nothing-here")
        outside_both = await live.client.get("/nothing-here")
        wrong_method = await live.client.put("/api/me")

    assert_problem(under_v1, 404, "NOT_FOUND")
    assert_plain_error(under_legacy, 404, "NOT_FOUND")
    assert_problem(outside_both, 404, "NOT_FOUND")
    assert_plain_error(wrong_method, 405, "METHOD_NOT_ALLOWED")


@ONE_DATABASE
async def test_a_route_keeps_its_own_mount_under_a_longer_prefix_of_another(settings, start_app):
    """/api/metrics is a root-mount route inside /api: its refusal is a problem document."""
    async with start_app(settings, capabilities=TWICE) as live:
        # a forwarding header from a proxy the app was not told about: refused as unknown
        response = await live.client.get("/api/metrics", headers={"X-Forwarded-For": "203.0.113.9"})

    assert_problem(response, 404, "NOT_FOUND")


@ONE_DATABASE
async def test_openapi_document_describes_an_operation_once_at_its_documented_mount(settings, start_app):
    async with start_app(settings, capabilities=TWICE) as live:
        paths = (await live.client.get("/api/v1/openapi.json")).json()["paths"]

    assert "/api/v1/me" in paths
    assert not [path for path in paths if path == "/api/me" or path.startswith(("/api/me/", "/api/auth/"))]


@ONE_DATABASE
async def test_production_app_has_exactly_its_mounts(server):
    blueprints = {blueprint.name for blueprint in server.app.blueprints.values()}
    assert blueprints == {
        "root_system",
        "api_v1_auth",
        "api_v1_auth_sessions",
        "api_v1_auth_mfa",
        "api_v1_auth_email",
        "api_v1_me",
        "api_v1_profile",
        "api_v1_organizations",
        "api_v1_organization_members",
        "api_v1_invites",
        "api_v1_mentorships",
        "api_v1_goals",
        "api_v1_action_items",
        "api_v1_session_notes",
        "api_v1_calendar",
        "api_v1_events",
        "api_v1_admin_users",
        "api_v1_admin_metrics",
        "api_v1_audit",
        "api_v1_coaching_sessions",
        "api_v1_system_diagnostics",
        "api_v1_setup",
        "api_v1_docs",
    }
    mounts = {route.path: route.ctx.mount for route in server.app.router.routes}
    assert set(mounts.values()) == {ROOT, API_V1}
    for path, mount in mounts.items():
        assert ("/" + path).startswith("/api/v1/") == (mount is API_V1), path


@pytest.mark.parametrize("prefix", ["api", "/api/", "/api/v1/"])
def test_mount_prefix_starts_with_a_slash_and_ends_without_one(prefix):
    with pytest.raises(InvalidMount):
        Mount(prefix)
