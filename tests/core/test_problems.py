"""Every error is an RFC 9457 problem, including the framework's own, and changes nothing."""

from __future__ import annotations

from sanic.response import HTTPResponse

from app.core.access import ANONYMOUS, declare
from models import User
from tests.factories import signed_in_user
from tests.problems import assert_problem


async def test_unknown_route_is_404_problem(server):
    response = await server.client.get("/api/v1/nothing-here")
    assert_problem(response, 404, "NOT_FOUND")


async def test_wrong_method_is_405_problem_with_allow(server):
    response = await server.client.delete("/api/v1/auth/sign-in")
    assert_problem(response, 405, "METHOD_NOT_ALLOWED")
    assert "POST" in response.headers["allow"]


async def test_malformed_json_is_400_problem_and_creates_nothing(server):
    response = await server.client.post(
        "/api/v1/auth/sign-up", content=b'{"name": "A",', headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 400, "MALFORMED_JSON")
    assert await User.all().count() == 0


async def test_missing_and_invalid_fields_are_400_with_errors(server):
    response = await server.client.post(
        "/api/v1/auth/sign-up", json={"email": "not-an-email", "password": "x"}
    )
    body = assert_problem(response, 400, "VALIDATION_ERROR")
    fields = {item["field"] for item in body["errors"]}
    assert {"name", "nickname", "email", "password"} <= fields
    assert await User.all().count() == 0


async def test_unknown_field_is_refused(server):
    response = await server.client.post(
        "/api/v1/auth/sign-in", json={"email": "a@example.com", "password": "x", "admin": True}
    )
    body = assert_problem(response, 400, "VALIDATION_ERROR")
    assert body["errors"][0]["field"] == "admin"


async def test_a_nul_character_is_400_and_creates_nothing(server):
    # PostgreSQL text cannot hold NUL: without this check, a 500 on that database
    response = await server.client.post(
        "/api/v1/auth/sign-up",
        json={
            "name": "Nul\u0000Byte",
            "nickname": "nul",
            "email": "nul@example.com",
            "password": "correct-horse-battery",
        },
    )
    body = assert_problem(response, 400, "VALIDATION_ERROR")
    assert body["errors"][0]["field"] == "name"  # the field that holds it
    assert await User.all().count() == 0


async def test_the_text_backslash_u0000_is_not_a_nul(server):
    response = await server.client.post(
        "/api/v1/auth/sign-up",
        json={
            "name": "Literal \\u0000",
            "nickname": "lit",
            "email": "lit@example.com",
            "password": "correct-horse-battery",
        },
    )
    assert response.status_code == 201
    assert (await User.get(email="lit@example.com")).name == "Literal \\u0000"


async def test_a_nul_in_the_query_is_400(server):
    person = await signed_in_user(server)
    response = await person.client.get("/api/v1/auth/sessions", params={"cursor": "a\x00b"})
    body = assert_problem(response, 400, "VALIDATION_ERROR")
    assert body["errors"][0]["field"] == "cursor"


async def test_body_that_is_not_an_object_is_400(server):
    response = await server.client.post("/api/v1/auth/sign-in", json=["a", "b"])
    assert_problem(response, 400, "VALIDATION_ERROR")


async def test_wrong_content_type_is_415(server):
    response = await server.client.post(
        "/api/v1/auth/sign-in",
        content=b"email=a",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_problem(response, 415, "UNSUPPORTED_MEDIA_TYPE")


async def test_body_over_the_limit_is_413_problem(server):
    limit = server.state.settings.server.max_body_bytes
    response = await server.client.post(
        "/api/v1/auth/sign-up", content=b"x" * (limit + 1), headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 413, "PAYLOAD_TOO_LARGE")


async def test_unhandled_exception_is_500_with_only_the_request_id(
    make_settings, migrated_database, caplog, start_app
):

    @declare(ANONYMOUS)
    async def explode(request) -> HTTPResponse:
        raise RuntimeError("secret database detail")

    settings = make_settings(database={"url": migrated_database})
    prepare = lambda app: app.add_route(explode, "/api/v1/explode", name="explode")
    async with start_app(settings, prepare=prepare) as live:
        response = await live.client.get("/api/v1/explode", headers={"X-Request-ID": "trace-500-abc"})
    body = assert_problem(response, 500, "INTERNAL_ERROR")
    assert body["title"] == "Internal server error"
    assert "detail" not in body
    assert "secret" not in response.text
    assert body["request_id"] == "trace-500-abc"
    assert "secret database detail" in caplog.text  # the traceback goes to the log only
