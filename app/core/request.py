"""The typed request and its context: what the middleware chain sets, in one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from uuid import UUID

from sanic import Request

from app.core import errors

if TYPE_CHECKING:
    from app.auth.principal import Principal
    from app.core.access import Access


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


class TandemRequest(Request):
    ctx: RequestContext  # type: ignore[assignment]

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
