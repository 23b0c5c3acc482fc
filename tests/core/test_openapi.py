"""The served OpenAPI document describes every route, body, response and problem."""

from __future__ import annotations

import json
import re
from typing import Any

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
    body_schema = resolve(sign_up["requestBody"]["content"]["application/json"]["schema"], document)
    assert {"name", "nickname", "email", "password"} <= set(body_schema["properties"])
    user_schema = resolve(sign_up["responses"]["201"]["content"]["application/json"]["schema"], document)
    assert "email_verified" in resolve(user_schema["properties"]["data"], document)["properties"]
    problem_schema = resolve(
        sign_up["responses"]["409"]["content"]["application/problem+json"]["schema"], document
    )
    assert {"type", "title", "status", "code", "request_id"} <= set(problem_schema["properties"])
    field_error = resolve(problem_schema["properties"]["errors"]["anyOf"][0]["items"], document)
    assert {"field", "message"} <= set(field_error["properties"])
    assert "password_hash" not in str(document)
    assert "clientKey" in document["components"]["securitySchemes"]
    assert "model_config" not in json.dumps(document)  # a class attribute, not a field
    # every reference resolves: no dangling `#/$defs/...` a viewer could not show
    for reference in re.findall(r'"\$ref": ?"([^"]+)"', json.dumps(document)):
        resolve({"$ref": reference}, document)


def resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """The schema a `$ref` points to inside the document (or the schema itself)."""
    reference = schema.get("$ref")
    if reference is None:
        return schema
    assert reference.startswith("#/components/schemas/"), reference
    return document["components"]["schemas"][reference.rsplit("/", 1)[1]]


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


def property_names(schema: object, document: dict[str, Any], seen: frozenset[str] = frozenset()) -> set[str]:
    """Every property name anywhere in a JSON schema, following `$ref`s into the document."""
    names: set[str] = set()
    if isinstance(schema, dict):
        reference = schema.get("$ref")
        if reference is not None and reference not in seen:
            names |= property_names(resolve(schema, document), document, seen | {reference})
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                names |= set(value)
            names |= property_names(value, document, seen)
    elif isinstance(schema, list):
        for item in schema:
            names |= property_names(item, document, seen)
    return names


async def test_no_response_schema_can_carry_a_hash_or_secret(server):
    document = (await server.bare.get("/api/v1/openapi.json")).json()
    seen_fields: set[str] = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            names = property_names(operation["responses"], document)
            assert not names & SECRET_FIELDS, (path, method, names & SECRET_FIELDS)
            if (path, method) != SECRET_SHOWN_ONCE:
                assert "secret" not in names, (path, method)
            seen_fields |= names
    # the walk really reached the response shapes (a user, a session, a token pair)
    assert {"email", "mfa_enabled", "last_seen_at", "refresh_token"} <= seen_fields
