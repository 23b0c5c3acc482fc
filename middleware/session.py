"""Link: session cookie or bearer token → the signed-in user. Never rejects by itself:
a missing, tampered, revoked or expired credential just leaves the request anonymous,
and the route's declaration decides whether that is a 401. A 401 to a request whose
session cookie names no live session also clears that cookie (sign-out included): the
browser cannot, since it is HttpOnly, and would send it on forever."""

from __future__ import annotations

from sanic.response import HTTPResponse

from app.auth.cookies import came_by_cookie
from app.core.request import TandemRequest
from middleware.base import Link


class SessionLink(Link):
    name = "session"
    requires = ("request_context",)

    def __init__(self, state):  # type: ignore[no-untyped-def]
        super().__init__(state)
        self._cookies = state.cookies
        self._cookie_name = state.cookies.name
        self._sessions = state.sessions

    async def on_request(self, request: TandemRequest) -> HTTPResponse | None:
        token = self.presented_token(request)
        if token is not None:
            request.ctx.principal = await self._sessions.principal_for(token)
        return None

    async def on_response(self, request: TandemRequest, response: HTTPResponse) -> None:
        if (
            response.status == 401
            and request.ctx.principal is None
            and self._cookie_name in request.cookies
            and came_by_cookie(request)
            and "set-cookie" not in response.headers
        ):
            self._cookies.clear(response)

    def presented_token(self, request: TandemRequest) -> str | None:
        authorization = request.headers.get("authorization")
        if authorization:
            scheme, _, credentials = authorization.partition(" ")
            if scheme.lower() == "bearer" and credentials.strip():
                return credentials.strip()
        return self._cookies.token(request)
