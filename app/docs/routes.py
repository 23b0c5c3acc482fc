"""/openapi.json, /docs, /redoc under the docs' mount (/api/v1).

app.docs.document builds the OpenAPI document from the routes' declarations. The viewer pages
and their pinned scripts: app.docs.viewers.
"""

from __future__ import annotations

import orjson
from sanic import Blueprint
from sanic.response import HTTPResponse

from app.core.access import PUBLIC, Access, declare
from app.core.mount import Mount
from app.core.request import TandemRequest
from app.core.settings import PaginationSettings
from app.docs.document import build_document, check_operation_ids
from app.docs.viewers import add_viewer_routes


def blueprint(
    mount: Mount, *, public: bool, pagination: PaginationSettings, session_cookie_name: str
) -> Blueprint:
    """`pagination` and `session_cookie_name`: what the document says of listings and the cookie."""
    bp = mount.blueprint("docs")
    # public docs need no client key (SPEC §1 exemption); private ones do
    access = PUBLIC if public else Access(authenticated=False, rate_policy=None)
    cached: dict[str, bytes] = {}
    bp.before_server_start(check_operation_ids)  # a duplicate id stops start-up

    @bp.get("/openapi.json")
    @declare(access)
    async def document(request: TandemRequest) -> HTTPResponse:
        if "document" not in cached:
            # built once per app: the routes and their declarations do not change
            cached["document"] = orjson.dumps(
                build_document(request.app, pagination=pagination, session_cookie_name=session_cookie_name)
            )
        return HTTPResponse(cached["document"], content_type="application/json")

    add_viewer_routes(bp, access, mount)  # the pages and their assets (app.docs.viewers)
    return bp
