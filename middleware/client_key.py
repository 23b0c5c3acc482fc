"""Link: X-Client-Key (SPEC §1). Wrong or missing → 403 saying only "Forbidden".

Runs before authentication and applies to unrouted requests too, so an unknown
path without a key is 403, not 404: nothing about the API is revealed to a
client that cannot name itself. Exempt routes say so in their Access.
"""

from __future__ import annotations

import hmac

from sanic.response import HTTPResponse

from app.core import errors
from app.core.request import TandemRequest
from middleware.base import Link

# what Sanic's http1 `create_empty_request` names the request it makes up to answer one
# it could not parse (a real request always has its head bytes)
STAND_IN_METHOD = "NONE"


class ClientKeyLink(Link):
    name = "client_key"
    requires = ("request_context",)

    def __init__(self, state):  # type: ignore[no-untyped-def]
        super().__init__(state)
        self._keys = [key.encode() for key in state.settings.security.client_api_keys]

    async def on_request(self, request: TandemRequest) -> HTTPResponse | None:
        access = request.ctx.access
        if request.method == "OPTIONS" or (access is not None and not access.client_key):
            return None
        if request.method == STAND_IN_METHOD and not request.head:
            # Sanic's stand-in for a request it could not parse (bad request line or
            # header syntax, head too large): its own 400/413 is the answer, not a 403
            return None
        if not self.is_valid(request.headers.get("x-client-key")):
            raise errors.Forbidden()
        return None

    def is_valid(self, presented: str | None) -> bool:
        """Constant-time against every configured key (several are valid during rotation)."""
        if not presented:
            return False
        candidate = presented.encode()
        matched = False
        for key in self._keys:
            # no early exit: the time taken does not reveal which key, if any, matched
            matched |= hmac.compare_digest(candidate, key)
        return matched
