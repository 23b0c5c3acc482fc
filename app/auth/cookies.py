"""The session cookie's attributes, in one place (SPEC §1, Authentication)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sanic.response import HTTPResponse

from app.core.request import TandemRequest

if TYPE_CHECKING:
    from app.state import AppState

# for clients that ignore Max-Age=0
EXPIRED = datetime(1970, 1, 1, tzinfo=UTC)


def _attributes(state: AppState) -> dict[str, Any]:
    """Set and cleared with the same attributes: a browser replaces (and so deletes) a
    cookie only when name, Path and Domain match, and a Secure one only over HTTPS."""
    return {
        "path": "/",
        "httponly": True,
        "samesite": "Lax",
        "secure": not state.settings.server.dev,
    }


def set_session_cookie(response: HTTPResponse, state: AppState, token: str) -> None:
    settings = state.settings
    response.add_cookie(
        settings.sessions.cookie_name,
        state.cookie_signer.sign(token),
        max_age=settings.sessions.absolute_lifetime_seconds,
        **_attributes(state),
    )


def clear_session_cookie(response: HTTPResponse, state: AppState) -> None:
    response.add_cookie(
        state.settings.sessions.cookie_name, "", max_age=0, expires=EXPIRED, **_attributes(state)
    )


def came_by_cookie(request: TandemRequest) -> bool:
    """Whether this request's session came from the cookie: as the session link reads
    credentials, a non-empty bearer header wins over the cookie."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return not (scheme.lower() == "bearer" and credentials.strip())
