"""The session cookie's attributes, in one place (SPEC §1, Authentication)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sanic.response import HTTPResponse

from app.auth.tokens import CookieSigner
from app.core.request import TandemRequest
from app.core.settings import SessionSettings

# for clients that ignore Max-Age=0
EXPIRED = datetime(1970, 1, 1, tzinfo=UTC)


class SessionCookies:
    """Sets, clears and reads the session cookie. Built once per app (app.state) with the
    cookie signer and the sessions settings; `secure` is off only in dev mode (plain HTTP)."""

    def __init__(self, settings: SessionSettings, *, signer: CookieSigner, secure: bool) -> None:
        self.name = settings.cookie_name
        self._max_age = settings.absolute_lifetime_seconds
        self._signer = signer
        # Set and cleared with the same attributes: a browser replaces (and so deletes) a
        # cookie only when name, Path and Domain match, and a Secure one only over HTTPS.
        self._attributes: dict[str, Any] = {
            "path": "/",
            "httponly": True,
            "samesite": "Lax",
            "secure": secure,
        }

    def set(self, response: HTTPResponse, token: str) -> None:
        response.add_cookie(self.name, self._signer.sign(token), max_age=self._max_age, **self._attributes)

    def clear(self, response: HTTPResponse) -> None:
        response.add_cookie(self.name, "", max_age=0, expires=EXPIRED, **self._attributes)

    def token(self, request: TandemRequest) -> str | None:
        """The session token of the request's cookie; None without one, or when tampered with."""
        cookie = request.cookies.get(self.name)
        return self._signer.unsign(cookie) if cookie else None


def came_by_cookie(request: TandemRequest) -> bool:
    """Whether this request's session came from the cookie: as the session link reads
    credentials, a non-empty bearer header wins over the cookie."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return not (scheme.lower() == "bearer" and credentials.strip())
