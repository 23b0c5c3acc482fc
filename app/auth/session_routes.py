"""/auth under a mount (app.core.mount): my sessions, revoking them, and bearer refresh (SPEC §2)."""

from __future__ import annotations

from uuid import UUID

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.auth.cookies import SessionCookies
from app.auth.schemas import NoBody, Refresh, SessionInfo, TokenPair
from app.auth.service import AuthService
from app.core import errors, responses
from app.core.access import AUTHENTICATED, REFRESH
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.pagination import PageQuery
from app.core.request import TandemRequest


def _session_id(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise errors.ValidationFailed.of_field("session_id", "not a session id") from None


def blueprint(mount: Mount, *, auth: AuthService, cookies: SessionCookies) -> Blueprint:
    """Handlers use what is given here, built once at start-up (app.capabilities)."""
    bp = mount.blueprint("auth_sessions", url_prefix="/auth")

    @bp.get("/sessions")
    @endpoint(
        AUTHENTICATED,
        query=PageQuery,
        response=SessionInfo,
        listing=True,
        summary="My sessions",
        tag="auth",
        description="Sessions that still work (bearer ones: can still be refreshed), newest "
        "first; `current` marks the one this request was made with.",
    )
    async def list_sessions(request: TandemRequest, query: PageQuery) -> HTTPResponse:
        page = await auth.list_sessions(request.principal, page=query)
        return responses.listing(page)

    @bp.delete("/sessions/<session_id:str>")
    @endpoint(
        AUTHENTICATED,
        problems=(400, 404),
        summary="Revoke one of my sessions",
        tag="auth",
        description="Another user's session, or one that already ended, is 404. Revoking the "
        "current session signs out (the cookie is cleared).",
    )
    async def revoke_session(request: TandemRequest, session_id: str) -> HTTPResponse:
        was_current = await auth.revoke_session(request.principal, _session_id(session_id))
        response = responses.success()
        if was_current:
            cookies.clear(response)
        return response

    @bp.post("/sessions/revoke-others")
    @endpoint(
        AUTHENTICATED,
        body=NoBody,
        summary="Sign out everywhere else",
        tag="auth",
        description="Every other session of mine stops working at once, in every process.",
    )
    async def revoke_other_sessions(request: TandemRequest, body: NoBody) -> HTTPResponse:
        await auth.revoke_other_sessions(request.principal)
        return responses.success()

    @bp.post("/refresh")
    @endpoint(
        REFRESH,
        body=Refresh,
        response=TokenPair,
        problems=(401,),
        summary="New bearer tokens for a refresh token",
        tag="auth",
        description="Rotates both tokens; the previous access token stops working at once. "
        "A refresh token works once: presenting a used one again revokes the "
        "whole session (401).",
    )
    async def refresh(request: TandemRequest, body: Refresh) -> HTTPResponse:
        pair = await auth.refresh(body)
        return responses.ok(pair)

    return bp
