"""The chain itself: links named in config, ordered, checked at start-up, run as one.

The whole chain is one Sanic request middleware and one response middleware,
which costs less per request than one Sanic middleware per link. After the
links have run, the route's declared requirements are enforced here, in one
place: a routed request whose route declares nothing is refused (deny by default).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sanic import Sanic
from sanic.response import HTTPResponse

from app.core import errors
from app.core.logging import bind_identity
from app.core.policy import meets_min_role
from app.core.request import TandemRequest
from app.core.roles import Role
from middleware.base import Link
from middleware.client_key import ClientKeyLink
from middleware.idempotency import IdempotencyLink
from middleware.organization import OrganizationLink
from middleware.rate_limit import RateLimitLink
from middleware.request_context import RequestContextLink
from middleware.security_headers import SecurityHeadersLink
from middleware.session import SessionLink

if TYPE_CHECKING:
    from app.state import AppState

logger = logging.getLogger("tandem.chain")
BUILT_IN: dict[str, type[Link]] = {
    link.name: link
    for link in (
        RequestContextLink,
        SecurityHeadersLink,
        ClientKeyLink,
        SessionLink,
        OrganizationLink,
        RateLimitLink,
        IdempotencyLink,
    )
}


class ChainError(Exception):
    """The configured chain cannot work (unknown link, wrong order)."""


def _link_class(name: str) -> type[Link]:
    if name in BUILT_IN:
        return BUILT_IN[name]
    if "." not in name:
        raise ChainError(f"middleware.chain: unknown link {name!r} (built-in: {', '.join(BUILT_IN)})")
    module_name, _, class_name = name.rpartition(".")
    try:
        link = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as error:
        raise ChainError(f"middleware.chain: cannot import {name!r}: {error}") from None
    if not (isinstance(link, type) and issubclass(link, Link)):
        raise ChainError(f"middleware.chain: {name!r} is not a middleware.base.Link")
    return link


def build_chain(names: tuple[str, ...], state: AppState) -> list[Link]:
    classes = [_link_class(name) for name in names]
    seen: set[str] = set()
    after_access: str | None = None  # the first link that runs after the access check
    for link in classes:
        missing = [required for required in link.requires if required not in seen]
        if missing:
            raise ChainError(
                f"middleware.chain: {link.name!r} must come after {', '.join(map(repr, missing))}"
            )
        if after_access is not None and not link.after_access:
            # it would run after the check anyway: say so rather than reorder silently
            raise ChainError(f"middleware.chain: {link.name!r} must come before {after_access!r}")
        if link.after_access and after_access is None:
            after_access = link.name
        seen.add(link.name)
    return [link(state) for link in classes]


def enforce(request: TandemRequest) -> None:
    """The route's declaration, after the links have filled the context."""
    ctx = request.ctx
    access = ctx.access
    if access is None:
        if request.route is not None:
            logger.error("route %s declares no access; refused", request.route.name)
            raise errors.NotFound("No such resource")
        return  # unrouted: Sanic answers 404/405 next
    if access.authenticated and ctx.principal is None:
        raise errors.Unauthenticated()
    if access.min_role is not None and not meets_min_role(request.actor, Role(access.min_role)):
        raise errors.Forbidden("Your role does not allow this")


def _bind_identity(request: TandemRequest) -> None:
    ctx = request.ctx
    if ctx.principal is not None or ctx.organization_id is not None:
        user_id = ctx.principal.user_id if ctx.principal is not None else None
        bind_identity(user_id, ctx.organization_id)


def install_chain(app: Sanic, links: list[Link]) -> None:
    def hooks(after_access: bool) -> list[Callable[[TandemRequest], Awaitable[HTTPResponse | None]]]:
        return [
            link.on_request
            for link in links
            if type(link).on_request is not Link.on_request and link.after_access is after_access
        ]

    request_hooks, after_access_hooks = hooks(False), hooks(True)
    response_hooks = [
        link.on_response for link in reversed(links) if type(link).on_response is not Link.on_response
    ]

    async def run_request_chain(request: TandemRequest) -> HTTPResponse | None:
        route = request.route
        request.ctx.access = getattr(route.ctx, "access", None) if route is not None else None
        try:
            for hook in request_hooks:
                response = await hook(request)
                if response is not None:
                    return response
        finally:
            # who is asking, for every later line of this request (a denial's too)
            _bind_identity(request)
        enforce(request)
        for hook in after_access_hooks:
            response = await hook(request)
            if response is not None:
                return response
        return None

    async def run_response_chain(request: TandemRequest, response: HTTPResponse) -> None:
        for hook in response_hooks:
            await hook(request, response)

    app.register_middleware(run_request_chain, "request")
    app.register_middleware(run_response_chain, "response")
