"""OpenAPI document settings (sanic-ext) and the API-wide parts of the document."""

from __future__ import annotations

from typing import Any

from sanic import Sanic

from app.core.settings import Settings
from app.version import VERSION

# Lists, not comma-separated strings: sanic-ext splits a string on "," without trimming,
# so " X-Client-Key" would never match the header a browser asks for.
EXPOSED_HEADERS = ["X-Request-ID", "RateLimit", "RateLimit-Policy", "Retry-After", "Location"]
ALLOWED_HEADERS = [
    "Content-Type", "Authorization", "X-Client-Key", "X-Organization-Id", "X-Request-ID",
    "Idempotency-Key",
]


def openapi_config(settings: Settings) -> dict[str, Any]:
    cors = settings.cors
    return {
        # sanic-ext builds the document; app.docs serves it (its own routes are refused)
        "oas": settings.docs.enabled,
        "oas_url_prefix": "/api/_sanic-ext-openapi",
        # sanic-ext's start-up banner needs its index route to exist; it is refused (404)
        "oas_ui_redoc": False,
        "oas_ui_default": "swagger",
        "oas_autodoc": True,
        "oas_ignore_options": True,
        "oas_ignore_head": True,
        "cors": bool(cors.origins),
        "cors_origins": list(cors.origins),
        "cors_allow_headers": ALLOWED_HEADERS,
        "cors_expose_headers": EXPOSED_HEADERS,
        "cors_supports_credentials": True,
        "cors_max_age": cors.max_age_seconds,
        "http_auto_head": False,
        "http_auto_trace": False,
    }


def describe_api(app: Sanic) -> None:
    """Title, version and the security schemes every operation refers to."""
    spec = app.ext.openapi
    spec.describe(
        "Tandem API",
        version=VERSION,
        description=(
            "Backend of a multi-tenant coaching platform. Every error is an RFC 9457 "
            "problem document (`application/problem+json`)."
        ),
    )
    spec.add_security_scheme("clientKey", "apiKey", location="header", name="X-Client-Key")
    spec.add_security_scheme("sessionCookie", "apiKey", location="cookie", name="tandem_session")
    spec.add_security_scheme("bearer", "http", scheme="bearer")
