"""The typed request and its context: what the middleware chain sets, in one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sanic import Request
from sanic.exceptions import BadURL

from app.core import errors
from app.core.policy import Actor

if TYPE_CHECKING:
    from app.core.access import Access
    from app.core.idempotency import Claim
    from app.core.principal import Principal


@dataclass(slots=True)
class RequestContext:
    """Filled by the chain links in order; see middleware/ for who sets what."""

    request_id: str = ""
    started_at: float = 0.0
    client_ip: str = ""
    # set by middleware.session; None means anonymous
    principal: Principal | None = None
    # set by middleware.organization when the route is org-scoped
    organization_id: UUID | None = None
    organization_role: str | None = None
    # rate-limit headers to add to the response (set by middleware.rate_limit)
    rate_limit_headers: dict[str, str] = field(default_factory=dict)
    # the route's declared requirements, None for unrouted requests (404/405)
    access: Access | None = None
    # set when the session cookie must be cleared or replaced on the way out
    set_cookie: str | None = None
    # the Idempotency-Key this request claimed, ended by the response (middleware.idempotency)
    idempotency_claim: Claim | None = None


class TandemRequest(Request):
    ctx: RequestContext  # type: ignore[assignment]

    def __init__(
        self,
        url_bytes: bytes,
        headers: Any,
        version: str,
        method: str,
        transport: Any,
        app: Any,
        head: bytes = b"",
        stream_id: int = 0,
    ) -> None:
        arguments = (headers, version, method, transport, app, head, stream_id)
        try:
            super().__init__(url_bytes, *arguments)
        except BadURL:
            # A request target that is not a path (`CONNECT host:80`, `GET api`) fails here
            # with 400; Sanic then builds a stand-in request (no head) from the same target
            # to answer with, which would fail too and drop the connection with an error
            # logged. The stand-in gets "/" instead, so the client gets its 400.
            if head:
                raise
            super().__init__(b"/", *arguments)

    @classmethod
    def make_context(cls) -> RequestContext:  # type: ignore[override]
        return RequestContext()

    @property
    def principal(self) -> Principal:
        """The signed-in user; raises 401 when anonymous (use on `authenticated` routes)."""
        principal = self.ctx.principal
        if principal is None:
            raise errors.Unauthenticated()
        return principal

    @property
    def actor(self) -> Actor:
        """The signed-in user with their roles here, for app.core.policy (401 when anonymous)."""
        principal = self.principal
        return Actor(principal.user_id, principal.global_role, self.ctx.organization_role)
