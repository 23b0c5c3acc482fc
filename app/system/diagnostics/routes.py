"""/system/diagnostics under a mount (app.core.mount), for PlatformAdmins (SPEC §4)."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.core import responses
from app.core.access import PLATFORM_ADMIN
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.request import TandemRequest
from app.system.diagnostics.schemas import Diagnostics
from app.system.diagnostics.service import DiagnosticsService


def blueprint(mount: Mount, *, diagnostics: DiagnosticsService) -> Blueprint:
    """Handlers use the service given here, built once at start-up (app.capabilities)."""
    bp = mount.blueprint("system_diagnostics", url_prefix="/system")

    @bp.get("/diagnostics")
    @endpoint(
        PLATFORM_ADMIN,
        response=Diagnostics,
        summary="Version, settings in effect, migrations and queues (administrators)",
        tag="system",
        description="`settings_set` names the settings that differ from their defaults and "
        "never shows a value. Broker queue lengths are read with a 1 s bound: null when "
        "the broker does not answer in time.",
    )
    async def diagnostics_report(request: TandemRequest) -> HTTPResponse:
        return responses.ok(await diagnostics.report())

    return bp
