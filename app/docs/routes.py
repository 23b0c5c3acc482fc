"""/api/v1/openapi.json, /api/v1/docs, /api/v1/redoc.

sanic-ext builds the document; we serve it ourselves because sanic-ext leaves out
every route under its own URL prefix, and ours is /api/v1 too. The viewers load
their scripts from a CDN, as sanic-ext's do.
"""

from __future__ import annotations

import orjson
from sanic import Blueprint
from sanic.response import HTTPResponse, html
from sanic_ext import openapi
from sanic_ext.extensions.openapi.builders import SpecificationBuilder

from app.core.access import PUBLIC, Access, declare
from app.core.request import TandemRequest
from app.docs.components import with_components

SWAGGER_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Tandem API</title>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/api/v1/openapi.json", dom_id: "#ui", deepLinking: true});</script>
</body></html>"""

REDOC_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Tandem API</title></head>
<body><redoc spec-url="/api/v1/openapi.json"></redoc>
<script src="https://cdn.jsdelivr.net/npm/redoc@2/bundles/redoc.standalone.js"></script>
</body></html>"""


def docs_blueprint(*, public: bool) -> Blueprint:
    bp = Blueprint("docs")
    # public docs need no client key (SPEC §1 exemption); private ones do
    access = PUBLIC if public else Access(authenticated=False, rate_policy=None)
    cached: dict[str, bytes] = {}

    @bp.get("/openapi.json")
    @openapi.exclude()
    @declare(access)
    async def document(request: TandemRequest) -> HTTPResponse:
        if "document" not in cached:
            spec = with_components(SpecificationBuilder().build(request.app).serialize())
            cached["document"] = orjson.dumps(spec, option=orjson.OPT_NON_STR_KEYS)
        return HTTPResponse(cached["document"], content_type="application/json")

    @bp.get("/docs")
    @openapi.exclude()
    @declare(access)
    async def swagger(request: TandemRequest) -> HTTPResponse:
        return html(SWAGGER_PAGE)

    @bp.get("/redoc")
    @openapi.exclude()
    @declare(access)
    async def redoc(request: TandemRequest) -> HTTPResponse:
        return html(REDOC_PAGE)

    return bp
