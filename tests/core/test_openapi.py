"""The served OpenAPI document describes every route, body, response and problem."""

from __future__ import annotations

from tests.conftest import _app_numbers
from tests.live_server import start_server


async def test_openapi_documents_every_route_with_responses_and_problems(server):
    document = (await server.bare.get("/api/v1/openapi.json")).json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path, method in [
        ("/api/v1/auth/sign-up", "post"), ("/api/v1/auth/sign-in", "post"),
        ("/api/v1/auth/sign-out", "post"), ("/api/v1/me", "get"), ("/api/v1/me/organizations", "get"),
        ("/api/v1/organizations/current", "get"), ("/api", "get"), ("/api/health", "get"),
    ]:
        operation = paths[path][method]
        assert operation["summary"], path
        responses = operation["responses"]
        success = [code for code in responses if code.startswith("2")]
        assert success, path
        problems = [code for code in responses if code.startswith(("4", "5"))]
        for code in problems:
            assert "application/problem+json" in responses[code]["content"], (path, code)
    sign_up = paths["/api/v1/auth/sign-up"]["post"]
    assert "application/json" in sign_up["requestBody"]["content"]
    assert {"201", "400", "403", "409", "413", "415", "429"} <= set(sign_up["responses"])
    assert "401" in paths["/api/v1/me"]["get"]["responses"]
    assert "404" in paths["/api/v1/organizations/current"]["get"]["responses"]
    body_schema = sign_up["requestBody"]["content"]["application/json"]["schema"]
    assert {"name", "nickname", "email", "password"} <= set(body_schema["properties"])
    user_schema = sign_up["responses"]["201"]["content"]["application/json"]["schema"]
    assert "email_verified" in user_schema["properties"]["data"]["properties"]
    problem_schema = sign_up["responses"]["409"]["content"]["application/problem+json"]["schema"]
    assert {"type", "title", "status", "code", "request_id"} <= set(problem_schema["properties"])
    assert "password_hash" not in str(document)
    assert "clientKey" in document["components"]["securitySchemes"]


async def test_docs_are_served_by_swagger_and_redoc(server):
    assert "swagger" in (await server.bare.get("/api/v1/docs")).text.lower()
    assert "redoc" in (await server.bare.get("/api/v1/redoc")).text.lower()


async def test_docs_can_be_switched_off(make_settings, migrated_database):
    settings = make_settings(database={"url": migrated_database}, docs={"enabled": False})
    async with start_server(settings, name=f"tandem_test_{next(_app_numbers)}") as live:
        assert (await live.client.get("/api/v1/openapi.json")).status_code == 404
        assert (await live.client.get("/api/v1/docs")).status_code == 404


SECRET_FIELDS = {"password_hash", "token_hash", "refresh_token_hash", "code_hash",
                 "mfa_secret", "mfa_pending_secret", "mfa_last_step"}
# the one response allowed to carry a TOTP secret: enrollment shows it once
SECRET_SHOWN_ONCE = ("/api/v1/auth/mfa/enroll", "post")


def property_names(schema: object) -> set[str]:
    """Every property name anywhere in a JSON schema."""
    names: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                names |= set(value)
            names |= property_names(value)
    elif isinstance(schema, list):
        for item in schema:
            names |= property_names(item)
    return names


async def test_no_response_schema_can_carry_a_hash_or_secret(server):
    document = (await server.bare.get("/api/v1/openapi.json")).json()
    checked = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            names = property_names(operation["responses"])
            assert not names & SECRET_FIELDS, (path, method, names & SECRET_FIELDS)
            if (path, method) != SECRET_SHOWN_ONCE:
                assert "secret" not in names, (path, method)
            checked += 1
    assert checked >= 20  # the whole auth surface is documented
