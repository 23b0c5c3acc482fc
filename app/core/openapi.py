"""sanic-ext settings (CORS, HTTP methods) and the API-wide parts of the OpenAPI document."""

from __future__ import annotations

from typing import Any

from app.core.settings import Settings
from app.version import VERSION

OPENAPI_VERSION = "3.1.0"

# Lists, not comma-separated strings: sanic-ext splits a string on "," without trimming,
# so " X-Client-Key" would never match the header a browser asks for.
EXPOSED_HEADERS = [
    "X-Request-ID",
    "RateLimit",
    "RateLimit-Policy",
    "Retry-After",
    "Location",
    "Idempotent-Replayed",
]
ALLOWED_HEADERS = [
    "Content-Type",
    "Authorization",
    "X-Client-Key",
    "X-Organization-Id",
    "X-Request-ID",
    "Idempotency-Key",
]


def openapi_config(settings: Settings) -> dict[str, Any]:
    cors = settings.cors
    return {
        # app.docs builds the OpenAPI document itself; sanic-ext's is not loaded
        "oas": False,
        # cors.origins plus, always, the web app of accounts.app_url (docs/conventions.md)
        "cors": bool(settings.cors_origins),
        "cors_origins": list(settings.cors_origins),
        "cors_allow_headers": ALLOWED_HEADERS,
        "cors_expose_headers": EXPOSED_HEADERS,
        "cors_supports_credentials": True,
        "cors_max_age": cors.max_age_seconds,
        # HEAD and OPTIONS routes are added by app.core.automatic_routes, before start;
        # sanic-ext's CORS preflight needs auto_options on, and finds nothing left to add
        "http_auto_head": False,
        "http_auto_options": True,
        "http_auto_trace": False,
    }


def describe_api(*, session_cookie_name: str) -> dict[str, Any]:
    """The API-wide parts of the OpenAPI document: version, title, security schemes."""
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Tandem API",
            "version": VERSION,
            "description": (
                "Backend of a multi-tenant coaching platform. Every error is an RFC 9457 "
                "problem document (`application/problem+json`)."
            ),
        },
        "components": {
            "securitySchemes": {
                "clientKey": {"type": "apiKey", "in": "header", "name": "X-Client-Key"},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": session_cookie_name},
                "bearer": {"type": "http", "scheme": "bearer"},
            }
        },
    }
