"""/admin/metrics under a mount (app.core.mount): platform figures for PlatformAdmins."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.admin.metrics.schemas import PlatformMetrics
from app.admin.metrics.service import PlatformMetricsService
from app.core import responses
from app.core.access import PLATFORM_ADMIN
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.request import TandemRequest


def blueprint(mount: Mount, *, metrics: PlatformMetricsService) -> Blueprint:
    """Handlers use the service given here, built once at start-up (app.capabilities)."""
    bp = mount.blueprint("admin_metrics", url_prefix="/admin")

    @bp.get("/metrics")
    @endpoint(
        PLATFORM_ADMIN,
        response=PlatformMetrics,
        summary="Platform figures (administrators)",
        tag="admin",
        description="Users, organizations, memberships, pending invites, active mentorships, the "
        "outbox backlog, dead-lettered jobs and today's audit entries, counted now. For time "
        "series, scrape GET /api/metrics (Prometheus).",
    )
    async def platform_metrics(request: TandemRequest) -> HTTPResponse:
        return responses.ok(await metrics.snapshot())

    return bp
