"""Security headers on every answer: nosniff, no-store when a user is involved, HSTS."""

from __future__ import annotations

from sanic.response import HTTPResponse

from app.core.request import TandemRequest
from middleware.base import Link


class SecurityHeadersLink(Link):
    name = "security_headers"

    def __init__(self, state):  # type: ignore[no-untyped-def]
        super().__init__(state)
        server, security = state.settings.server, state.settings.security
        # Browsers ignore HSTS received over plain HTTP (RFC 6797 §8.1), so sending it
        # outside dev mode is safe even before TLS terminates in front of us.
        self._hsts = (
            f"max-age={security.hsts_seconds}; includeSubDomains"
            if not server.dev and security.hsts_seconds
            else None
        )

    async def on_response(self, request: TandemRequest, response: HTTPResponse) -> None:
        headers = response.headers
        headers["X-Content-Type-Options"] = "nosniff"
        access = request.ctx.access
        # Anything but the public system and docs routes may carry account data or
        # credentials (sign-in answers carry tokens before any session exists).
        if access is None or access.client_key or request.ctx.principal is not None:
            headers["Cache-Control"] = "no-store"
        if self._hsts:
            headers["Strict-Transport-Security"] = self._hsts
