"""The docs pages, Swagger UI at /docs and ReDoc at /redoc under the docs' mount, and the
files they load, all served by the API itself.

The viewers are pinned copies in app/docs/assets/ (versions and provenance in its
README; a test checks their digests), not scripts from a CDN: the pages render without
internet access, and nothing runs on the API's origin that was not reviewed. The pages
carry a Content-Security-Policy that allows scripts from this origin only, so they hold
no inline script either.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from html import escape
from pathlib import Path

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.core import errors
from app.core.access import Access, declare
from app.core.mount import Mount
from app.core.request import TandemRequest

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
SWAGGER_UI_VERSION = "5.35.0"  # npm swagger-ui-dist
REDOC_VERSION = "2.5.4"  # npm redoc
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# only these files are served (an allowlist, never a path from the request)
SERVED_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-init.js", "redoc.standalone.js")
# Scripts from this origin only. Both viewers set inline styles (React style attributes,
# ReDoc's styled-components), ReDoc runs its search index in a Worker made from a blob:
# URL, and Swagger UI shows images of responses from blob: URLs.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src blob:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# asset URLs carry their digest (?v=), so a browser may keep them for a year; the pages,
# which name those URLs, are revalidated each time
ASSET_CACHE = "public, max-age=31536000, immutable"
PAGE_CACHE = "no-cache"


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    content_type: str
    digest: str  # SHA-256, hex

    @property
    def etag(self) -> str:
        return f'"{self.digest}"'


def load_assets() -> dict[str, Asset]:
    assets = {}
    for name in SERVED_FILES:
        body = (ASSETS_DIR / name).read_bytes()
        assets[name] = Asset(body, CONTENT_TYPES[Path(name).suffix], hashlib.sha256(body).hexdigest())
    return assets


@dataclass(frozen=True, slots=True)
class Viewers:
    """What the pages load, served under `mount`."""

    assets: dict[str, Asset]
    mount: Mount

    @property
    def spec_url(self) -> str:
        return self.mount.path("/openapi.json")

    def url(self, name: str) -> str:
        return self.mount.path(f"/docs/assets/{name}?v={self.assets[name].digest[:16]}")


def swagger_page(viewers: Viewers) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Tandem API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{escape(viewers.url("swagger-ui.css"))}"></head>
<body><div id="swagger-ui" data-spec-url="{escape(viewers.spec_url)}"></div>
<script src="{escape(viewers.url("swagger-ui-bundle.js"))}"></script>
<script src="{escape(viewers.url("swagger-init.js"))}"></script>
</body></html>"""


def redoc_page(viewers: Viewers) -> str:
    # the bundle starts ReDoc by itself on the <redoc> element it finds
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Tandem API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"></head>
<body><redoc spec-url="{escape(viewers.spec_url)}"></redoc>
<script src="{escape(viewers.url("redoc.standalone.js"))}"></script>
</body></html>"""


def _page(html: str) -> HTTPResponse:
    return HTTPResponse(
        html,
        content_type="text/html; charset=utf-8",
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Cache-Control": PAGE_CACHE,
        },
    )


def add_viewer_routes(bp: Blueprint, access: Access, mount: Mount) -> None:
    """GET /docs, /redoc and /docs/assets/<file> on the docs blueprint (under `mount`),
    with `access`."""
    assets = load_assets()
    viewers = Viewers(assets, mount)
    pages = {"swagger": swagger_page(viewers), "redoc": redoc_page(viewers)}

    @bp.get("/docs")
    @declare(access)
    async def swagger(request: TandemRequest) -> HTTPResponse:
        return _page(pages["swagger"])

    @bp.get("/redoc")
    @declare(access)
    async def redoc(request: TandemRequest) -> HTTPResponse:
        return _page(pages["redoc"])

    @bp.get("/docs/assets/<name:str>")
    @declare(access)
    async def asset(request: TandemRequest, name: str) -> HTTPResponse:
        found = assets.get(name)
        if found is None:
            raise errors.NotFound("No such resource")
        headers = {"Cache-Control": ASSET_CACHE, "ETag": found.etag}
        if request.headers.get("if-none-match") == found.etag:
            return HTTPResponse(status=304, headers=headers)
        return HTTPResponse(found.body, content_type=found.content_type, headers=headers)
