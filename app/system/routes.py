"""GET /api, the health checks and GET /api/metrics (at the root mount: the paths are whole)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.core import errors
from app.core.access import PUBLIC
from app.core.endpoint import endpoint
from app.core.metrics import CONTENT_TYPE, Metrics
from app.core.mount import Mount
from app.core.redis_gateway import RedisGateway
from app.core.request import TandemRequest
from app.core.responses import JSON, to_json
from app.system.health import DOWN, run_checks
from app.system.metrics import ScrapeGuard, outbox_collectors
from app.system.schemas import ApiIndex, Health, Liveness
from app.version import VERSION

LIVE = to_json(Liveness(status="ok"))


FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


async def _readiness(redis: RedisGateway | None, broker_is_healthy: Callable[[], bool]) -> HTTPResponse:
    checks = await run_checks(redis, broker_is_healthy)
    failing = [name for name, result in checks.items() if result == DOWN]
    if redis is None:
        rate_limits = "local"
    else:
        rate_limits = "fallback" if checks["redis"] == DOWN else "shared"
    if failing:
        # a problem document like every error, with the checks as extension members
        raise errors.DependencyUnavailable(
            f"{', '.join(failing)} unavailable",
            extra={"checks": checks, "rate_limits": rate_limits},
        )
    body = Health(status="ok", checks=checks, rate_limits=rate_limits)
    return HTTPResponse(to_json(body), content_type=JSON)


def blueprint(
    mount: Mount,
    *,
    docs: Mount | None,
    redis: RedisGateway | None,
    broker_is_healthy: Callable[[], bool],
    metrics: Metrics,
    scrape_guard: ScrapeGuard,
) -> Blueprint:
    """`docs`: where the docs are mounted, for the index's links; None when they are off.
    `redis` (None without Redis) and `broker_is_healthy` (the app's probe of its broker,
    blocking and bounded) for readiness; `metrics` and who may scrape them for /metrics."""
    bp = mount.blueprint("system", url_prefix="/api")
    docs_links = {}
    if docs is not None:
        docs_links = {
            "openapi": docs.path("/openapi.json"),
            "swagger": docs.path("/docs"),
            "redoc": docs.path("/redoc"),
        }
    index_body = to_json(ApiIndex(name="Tandem API", version=VERSION, docs=docs_links))

    @bp.get("")
    @endpoint(
        PUBLIC, response=ApiIndex, envelope=False, summary="API name, version and docs links", tag="system"
    )
    async def index(request: TandemRequest) -> HTTPResponse:
        return HTTPResponse(index_body, content_type=JSON)

    @bp.get("/health")
    @endpoint(
        PUBLIC,
        response=Health,
        envelope=False,
        problems=(503,),
        summary="Liveness and readiness",
        tag="system",
    )
    async def health(request: TandemRequest) -> HTTPResponse:
        return await _readiness(redis, broker_is_healthy)

    @bp.get("/health/live")
    @endpoint(
        PUBLIC,
        response=Liveness,
        envelope=False,
        summary="Liveness: the process answers (no I/O)",
        tag="system",
    )
    async def health_live(request: TandemRequest) -> HTTPResponse:
        # nothing but this process: a restart cannot fix a database outage
        return HTTPResponse(LIVE, content_type=JSON)

    @bp.get("/health/ready")
    @endpoint(
        PUBLIC,
        response=Health,
        envelope=False,
        problems=(503,),
        summary="Readiness: every dependency answers",
        tag="system",
    )
    async def health_ready(request: TandemRequest) -> HTTPResponse:
        return await _readiness(redis, broker_is_healthy)

    @bp.get("/metrics")
    @endpoint(
        PUBLIC,
        envelope=False,
        summary="Prometheus metrics (text exposition format)",
        tag="system",
        content_type="text/plain",
        description="Only for scrapers allowed by `metrics.token` (a bearer token) or "
        "`metrics.allowed_networks`. Anyone else is answered as for a path that does not "
        "exist: 403 without a valid X-Client-Key, 404 with one.",
        problems={
            403: "Not an allowed scraper, and no valid X-Client-Key",
            404: "Metrics are off, or not an allowed scraper",
        },
    )
    async def metrics_exposition(request: TandemRequest) -> HTTPResponse:
        # a forwarding header whose client was not resolved through a trusted proxy (the
        # client IP is still the TCP peer) came through a proxy we were not told about
        via_unknown_proxy = request.ctx.client_ip == request.ip and any(
            name in request.headers for name in FORWARDING_HEADERS
        )
        allowed = scrape_guard.allows(
            request.ctx.client_ip, request.headers.get("authorization"), via_unknown_proxy=via_unknown_proxy
        )
        if not (scrape_guard.enabled and allowed):
            raise scrape_guard.refusal(request.headers.get("x-client-key"))  # not even that it exists
        extra = await outbox_collectors()
        # reading every process's files is blocking I/O
        body = await asyncio.to_thread(metrics.render, extra)
        return HTTPResponse(body, content_type=CONTENT_TYPE)

    return bp
