"""The session cookie's attributes, in one place (SPEC §1, Authentication)."""

from __future__ import annotations

from sanic.response import HTTPResponse

from app.core.request import TandemRequest
from app.core.state import AppState


def set_session_cookie(response: HTTPResponse, state: AppState, token: str) -> None:
    settings = state.settings
    response.add_cookie(
        settings.sessions.cookie_name,
        state.cookie_signer.sign(token),
        path="/",
        httponly=True,
        samesite="Lax",
        secure=not settings.server.dev,
        max_age=settings.sessions.absolute_lifetime_seconds,
    )


def clear_session_cookie(response: HTTPResponse, state: AppState) -> None:
    response.delete_cookie(state.settings.sessions.cookie_name, path="/")


def came_by_cookie(request: TandemRequest) -> bool:
    """Whether this request's session came from the cookie: as the session link reads
    credentials, a non-empty bearer header wins over the cookie."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return not (scheme.lower() == "bearer" and credentials.strip())
