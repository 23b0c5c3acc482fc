"""HEAD wherever GET: uptime checkers use it, and it passes the same checks as GET."""

from __future__ import annotations

from app.core.access import access_of
from tests.factories import signed_in_user
from tests.problems import assert_problem

# every GET route that needs no client key (SPEC §1 exemptions, public docs)
PUBLIC_GETS = (
    "/api",
    "/api/health",
    "/api/health/live",
    "/api/health/ready",
    "/api/v1/openapi.json",
    "/api/v1/docs",
    "/api/v1/redoc",
    "/api/v1/docs/assets/swagger-ui.css",
)


async def test_uptime_checkers_get_the_status_and_headers_of_get_from_head_without_a_body(server):
    for path in PUBLIC_GETS:
        got = await server.bare.get(path)
        head = await server.bare.head(path)
        assert (head.status_code, got.status_code) == (200, 200), path
        assert head.content == b"", path
        assert head.headers["content-type"] == got.headers["content-type"], path


async def test_head_cannot_skip_the_client_key_or_the_session_that_get_requires(server):
    assert (await server.bare.head("/api/v1/me")).status_code == 403
    assert (await server.client.head("/api/v1/me")).status_code == 401
    person = await signed_in_user(server)
    head = await person.client.head("/api/v1/me")
    assert head.status_code == 200 and head.content == b""
    # a HEAD is limited like its GET: it spends from the same allowance
    got = await person.client.get("/api/v1/me")
    assert int(got.headers["ratelimit"].split("r=")[1].split(";")[0]) < int(
        head.headers["ratelimit"].split("r=")[1].split(";")[0]
    )


async def test_every_get_route_has_a_head_route_with_the_same_access(server):
    routes = list(server.app.router.routes)
    gets = {route.path: route for route in routes if "GET" in route.methods}
    heads = {route.path: route for route in routes if "HEAD" in route.methods}
    assert gets and set(heads) == set(gets)
    for path, head in heads.items():
        assert head.ctx.access is not None and head.ctx.access == gets[path].ctx.access, path
        assert access_of(gets[path].handler) == gets[path].ctx.access, path


async def test_head_on_an_unknown_path_is_refused_like_get(server):
    assert (await server.bare.head("/api/v1/nothing-here")).status_code == 403
    assert_problem(await server.client.get("/api/v1/nothing-here"), 404, "NOT_FOUND")
    assert (await server.client.head("/api/v1/nothing-here")).status_code == 404


async def test_a_route_added_after_the_app_was_built_gets_head_and_a_public_preflight(settings, start_app):
    # a test's or a plug-in's route, added once create_app has added the automatic ones:
    # without them, HEAD was a 405 and OPTIONS a 404 that logged an ERROR at will
    from sanic.response import json

    from app.core.access import AUTHENTICATED, declare

    @declare(AUTHENTICATED)
    async def late(request):
        return json({"late": True})

    async with start_app(
        settings, prepare=lambda app: app.add_route(late, "/api/v1/late", name="late")
    ) as live:
        assert (await live.client.get("/api/v1/late")).status_code == 401
        head = await live.client.head("/api/v1/late")
        assert head.status_code == 401 and head.content == b""  # GET's access, not a 405
        preflight = await live.bare.options("/api/v1/late")
        assert preflight.status_code == 204
        assert set(preflight.headers["allow"].split(",")) == {"GET", "HEAD", "OPTIONS"}
