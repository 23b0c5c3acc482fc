"""Mounts: where a capability's routes are served, and how errors under them are rendered.

A capability's routes module exposes a blueprint factory, `blueprint(mount, ...)`: it
builds a fresh blueprint under `mount.prefix` and spells every path it hands out
(`Location`, links) with `mount.path(...)`. The composition root builds each capability
once per mount it is listed under (app.capabilities), so the same handlers serve
`/api/v1/...` and, for the original clients, `/api/...` with their own error shape.

Errors are rendered by the mount of the route that answered; a request no route matched
(404, 405) by the mount whose prefix is the longest that holds its path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sanic import Blueprint, Request, Sanic
from sanic.handlers import ErrorHandler
from sanic.response import HTTPResponse

from app.core import errors
from app.core.problems import problem_response, translate

logger = logging.getLogger("tandem.errors")

# (the error, the request id) → the response a client of the mount expects
ErrorRenderer = Callable[[errors.ApiError, str | None], HTTPResponse]


class InvalidMount(ValueError):
    """A prefix that is not "" or "/segment[/segment...]" without a trailing slash."""


@dataclass(frozen=True, slots=True)
class Mount:
    # "/api/v1"; "" for blueprints whose routes name their whole path (system)
    prefix: str
    render_error: ErrorRenderer = problem_response
    # whether the OpenAPI document describes the mount's operations: a second mount of
    # the same handlers is left out, so that each operation is described once
    documented: bool = True

    def __post_init__(self) -> None:
        if self.prefix and (not self.prefix.startswith("/") or self.prefix.endswith("/")):
            raise InvalidMount(f"mount prefix {self.prefix!r}: start with / and end without one")

    @property
    def name(self) -> str:
        """For blueprint names, unique per app in Sanic: "/api/v1" → "api_v1", "" → "root"."""
        return self.prefix.strip("/").replace("/", "_").replace("-", "_") or "root"

    def path(self, path: str) -> str:
        """`path` under this mount: `API_V1.path("/me")` → "/api/v1/me"."""
        return self.prefix + path

    def holds(self, path: str) -> bool:
        # the root mount holds every path, even the odd ones of malformed requests
        return not self.prefix or path == self.prefix or path.startswith(self.prefix + "/")

    def blueprint(self, capability: str, *, url_prefix: str = "") -> Blueprint:
        """A new blueprint for `capability` under this mount, named after both."""
        return Blueprint(f"{self.name}_{capability}", url_prefix=self.path(url_prefix) or None)

    def attach(self, app: Sanic, blueprint: Blueprint) -> None:
        """Register `blueprint` (built by `self.blueprint`) on `app`, its routes marked as
        this mount's (`route.ctx.mount`: the error renderer and the docs read it)."""
        app.blueprint(blueprint)
        for route in blueprint.routes:
            route.ctx.mount = self


DEFAULT_MOUNT = Mount("")


def mount_of(route: object) -> Mount | None:
    """The mount a route was attached under; None for routes added outside any mount."""
    return getattr(getattr(route, "ctx", None), "mount", None)


class MountErrorHandler(ErrorHandler):
    """Sanic's error handler, replaced: every error becomes one of our ApiErrors
    (app.core.problems.translate), logged once, rendered as its mount says."""

    def __init__(self, mounts: Iterable[Mount]) -> None:
        super().__init__()
        held = set(mounts)
        if not any(mount.prefix == "" for mount in held):
            held.add(DEFAULT_MOUNT)  # a root mount answers for paths no other mount holds
        # longest prefix first, so "/api/v1/x" finds /api/v1 before /api
        self.mounts = sorted(held, key=lambda mount: len(mount.prefix), reverse=True)

    def default(self, request: Request, exception: BaseException) -> HTTPResponse:  # type: ignore[override]
        error = translate(exception)
        request_id = getattr(getattr(request, "ctx", None), "request_id", None)
        if error.status >= 500 and not isinstance(exception, errors.ApiError):
            logger.error("unhandled exception", exc_info=exception)
        elif not error.quiet:
            logger.warning("%s: %s", error.code, error.detail or error.title)
        return self.mount_for(request).render_error(error, request_id)

    def mount_for(self, request: Request) -> Mount:
        mount = mount_of(getattr(request, "route", None))
        if mount is not None:
            return mount
        path = getattr(request, "path", "/")
        return next(mount for mount in self.mounts if mount.holds(path))
