"""`callback_url` checks (SPEC §2): an emailed link may only lead to a trusted origin.

The URL's origin (scheme, host, port) must equal one of security.trusted_origins. A
plain prefix test would let `https://app.example.com.evil.net` through.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field

from app.core import errors

CallbackUrl = Annotated[
    str, Field(min_length=1, max_length=2048, description="Page that receives the token; must be on a trusted origin")
]


def _origin(url: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, parts.hostname.lower(), port or default


def check_callback_url(url: str, trusted_origins: tuple[str, ...]) -> str:
    """Return `url` when its origin is trusted; else a 400 naming the field."""
    origin = _origin(url)
    if origin is None or "@" in urlsplit(url).netloc or origin not in {
        _origin(trusted) for trusted in trusted_origins
    }:
        raise errors.ValidationFailed(
            "callback_url: must start with a trusted origin",
            errors=[{"field": "callback_url", "message": "must start with a trusted origin"}],
        )
    return url
