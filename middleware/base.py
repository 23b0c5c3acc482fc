"""The interface of a chain link.

A link overrides only the hooks it needs. `on_request` may return a response to
answer the request itself (a denial); it must never swallow its own failure —
an exception in a link becomes a problem response, so a link fails closed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from sanic.response import HTTPResponse

if TYPE_CHECKING:
    from app.core.request import TandemRequest
    from app.state import AppState  # the type only: the root builds it, links receive it


class Link:
    # name used in config.toml's middleware.chain
    name: ClassVar[str]
    # links that must run before this one (checked at start-up)
    requires: ClassVar[tuple[str, ...]] = ()
    # run `on_request` after the route's declared access was enforced (the request is
    # allowed); such links come last in the chain
    after_access: ClassVar[bool] = False

    def __init__(self, state: AppState) -> None:
        """Precompute from settings; no I/O."""
        self.state = state

    async def on_request(self, request: TandemRequest) -> HTTPResponse | None:
        """Inspect or deny the request before the route runs."""
        return None

    async def on_response(self, request: TandemRequest, response: HTTPResponse) -> None:
        """Add to the response on its way out (runs for every response, errors too)."""
        return
