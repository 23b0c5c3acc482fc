"""The served OpenAPI document describes every route, body, response and problem."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from openapi_spec_validator import validate
from sanic.response import json as json_response

from app.core.access import AUTHENTICATED
from app.core.endpoint import endpoint
from app.docs.document import DuplicateOperationId


async def test_openapi_documents_every_route_with_responses_and_problems(server):
    document = (await server.bare.get("/api/v1/openapi.json")).json()
    assert document["openapi"] == "3.1.0"
    paths = document["paths"]
    for path, method in [
        ("/api/v1/auth/sign-up", "post"),
        ("/api/v1/auth/sign-in", "post"),
        ("/api/v1/auth/sign-out", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/me/organizations", "get"),
        ("/api/v1/organizations/current", "get"),
        ("/api", "get"),
        ("/api/health", "get"),
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


async def test_docs_can_be_switched_off(make_settings, migrated_database, start_app):
    settings = make_settings(database={"url": migrated_database}, docs={"enabled": False})
    async with start_app(settings) as live:
        assert (await live.client.get("/api/v1/openapi.json")).status_code == 404
        assert (await live.client.get("/api/v1/docs")).status_code == 404


SECRET_FIELDS = {
    "password_hash",
    "token_hash",
    "refresh_token_hash",
    "code_hash",
    "mfa_secret",
    "mfa_pending_secret",
    "mfa_last_step",
}
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


async def test_the_served_document_is_valid_openapi_3_1(server):
    response = await server.bare.get("/api/v1/openapi.json")
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    validate(document)  # raises on any error; 3.1 from the document's own `openapi`
    assert document["openapi"] == "3.1.0"
    # pydantic's `X | None` is 2020-12 `anyOf: [..., {"type": "null"}]`, valid only in 3.1
    assert {"type": "null"} in resolve({"$ref": "#/components/schemas/Problem"}, document)["properties"][
        "detail"
    ]["anyOf"]


@pytest.fixture
async def small_pages_document(make_settings, migrated_database, start_app):
    settings = make_settings(
        database={"url": migrated_database}, pagination={"default_limit": 20, "max_limit": 80}
    )
    async with start_app(settings) as live:
        yield (await live.bare.get("/api/v1/openapi.json")).json()


async def test_pagination_parameters_are_scalars_with_the_configured_bounds(small_pages_document):
    operation = small_pages_document["paths"]["/api/v1/auth/sessions"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert {name: parameter["in"] for name, parameter in parameters.items()} == {
        "limit": "query",
        "cursor": "query",
        "offset": "query",
    }
    assert parameters["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 80, "default": 20}
    assert parameters["cursor"]["schema"] == {"type": "string", "maxLength": 512}
    assert parameters["offset"]["schema"]["type"] == "integer"
    assert parameters["offset"]["schema"]["minimum"] == 0
    assert not any(parameter["required"] for parameter in parameters.values())


async def test_a_session_is_a_cookie_or_a_bearer_token_each_with_the_client_key(server):
    document = (await server.bare.get("/api/v1/openapi.json")).json()
    paths = document["paths"]
    signed_in = [{"clientKey": [], "sessionCookie": []}, {"clientKey": [], "bearer": []}]
    assert paths["/api/v1/me"]["get"]["security"] == signed_in
    assert paths["/api/v1/auth/sign-out"]["post"]["security"] == signed_in
    assert paths["/api/v1/auth/sign-in"]["post"]["security"] == [{"clientKey": []}]
    assert paths["/api/health"]["get"]["security"] == []  # public: nothing at all
    schemes = document["components"]["securitySchemes"]
    assert schemes["sessionCookie"] == {"type": "apiKey", "in": "cookie", "name": "tandem_session"}
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer"}
    assert "security" not in document  # no document-wide default to override


async def test_operation_ids_are_tag_and_action_and_unique(server):
    document = (await server.bare.get("/api/v1/openapi.json")).json()
    ids = {
        (path, method): operation["operationId"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    assert len(set(ids.values())) == len(ids)
    assert ids[("/api/v1/auth/sign-in", "post")] == "auth_sign_in"
    assert ids[("/api/v1/me", "get")] == "me_get"
    assert ids[("/api/v1/me", "patch")] == "me_update"
    assert ids[("/api/v1/auth/sessions", "get")] == "auth_list_sessions"
    assert ids[("/api/v1/auth/mfa/verify", "post")] == "auth_mfa_verify"
    assert ids[("/api/v1/setup/bootstrap", "post")] == "setup_bootstrap"
    for (path, method), identifier in ids.items():
        tag = document["paths"][path][method]["tags"][0]
        assert re.fullmatch(rf"{tag}_[a-z0-9_]+", identifier), (path, method, identifier)


async def test_two_routes_under_one_operation_id_stop_the_server(make_settings, migrated_database, start_app):
    @endpoint(AUTHENTICATED, summary="Another sign-in", tag="auth")
    async def sign_in(request):  # type: ignore[no-untyped-def]
        return json_response({})

    settings = make_settings(database={"url": migrated_database})
    prepare = lambda app: app.add_route(sign_in, "/api/v1/auth/sign-in-again", methods=["POST"])
    with pytest.raises(DuplicateOperationId, match="auth_sign_in"):
        async with start_app(settings, prepare=prepare):
            pass


async def test_bodies_are_required_unless_every_field_may_be_left_out(server):
    paths = (await server.bare.get("/api/v1/openapi.json")).json()["paths"]
    assert paths["/api/v1/auth/sign-in"]["post"]["requestBody"]["required"] is True
    assert paths["/api/v1/auth/sign-up"]["post"]["requestBody"]["required"] is True
    # only optional fields: an absent body is read as {}, so clients may leave it out
    assert paths["/api/v1/me"]["patch"]["requestBody"]["required"] is False
    assert "requestBody" not in paths["/api/v1/me"]["get"]


async def test_every_status_a_route_can_answer_is_a_documented_problem(server):
    paths = (await server.bare.get("/api/v1/openapi.json")).json()["paths"]
    sign_in = paths["/api/v1/auth/sign-in"]["post"]["responses"]
    assert {"400", "401", "403", "413", "415", "429"} <= set(sign_in)
    assert sign_in["401"]["description"] == "Wrong email or password"
    assert sign_in["429"]["headers"]["Retry-After"]["schema"] == {"type": "integer"}
    assert "503" in paths["/api/health"]["get"]["responses"]
    assert "422" in paths["/api/v1/auth/reset-password"]["post"]["responses"]
    # limited routes answer 429; unlimited public ones never do
    assert "429" in paths["/api/v1/me"]["get"]["responses"]
    assert "429" not in paths["/api/health"]["get"]["responses"]
