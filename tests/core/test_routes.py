"""Deny by default: every route declares what it needs, or the server will not start."""

from __future__ import annotations

import pytest
from sanic.response import json

from app.core.access import PUBLIC, access_of
from app.main import UndeclaredRoutes
from tests.conftest import ONE_DATABASE

pytestmark = ONE_DATABASE


async def test_every_route_carries_what_its_handler_declares(server):
    """The fixture's server started, so no route is undeclared (a route without a
    declaration stops the server, below); what each route carries is checked here."""
    routes = list(server.app.router.routes)
    assert len(routes) >= 8
    access = {(route.path, method): route.ctx.access for route in routes for method in route.methods}
    for route in routes:
        if route.methods == {"HEAD"}:  # sanic-ext's automatic HEAD runs the GET handler
            assert route.ctx.access is access[(route.path, "GET")], route.name
        elif route.methods == {"OPTIONS"} and access_of(route.handler) is None:
            assert route.ctx.access is PUBLIC, route.name  # CORS preflight, exempt by SPEC §1
        else:
            assert route.ctx.access is access_of(route.handler), route.name
    assert access[("api/v1/me", "GET")].authenticated
    assert not access[("api/health", "GET")].client_key


async def test_our_handlers_carry_their_declaration(server):
    # automatic OPTIONS and HEAD routes take their Access at start-up (tests/core/test_head.py)
    ours = [r for r in server.app.router.routes if r.methods not in ({"OPTIONS"}, {"HEAD"})]
    assert ours
    for route in ours:
        assert access_of(route.handler) is not None, route.name


async def test_a_route_without_declaration_stops_the_server(make_settings, migrated_database, start_app):
    async def forgotten(request):
        return json({"oops": True})

    settings = make_settings(database={"url": migrated_database})
    prepare = lambda app: app.add_route(forgotten, "/api/v1/forgotten", name="forgotten")
    with pytest.raises(UndeclaredRoutes, match="forgotten"):
        async with start_app(settings, prepare=prepare):
            pass


async def test_extension_routes_we_do_not_serve_are_404(server):
    for path in ("/api/_sanic-ext-openapi/openapi.json", "/api/_sanic-ext-openapi/oauth2-redirect.html"):
        response = await server.client.get(path)
        assert response.status_code == 404, path
