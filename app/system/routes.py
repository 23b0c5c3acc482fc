"""GET /api and GET /api/health."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.core import errors
from app.core.access import PUBLIC
from app.core.endpoint import endpoint
from app.core.request import TandemRequest
from app.core.responses import JSON, to_json
from app.system.health import DOWN, run_checks
from app.system.schemas import ApiIndex, Health
from app.version import VERSION

bp = Blueprint("system", url_prefix="/api")


@bp.get("")
@endpoint(PUBLIC, response=ApiIndex, envelope=False, summary="API name, version and docs links", tag="system")
async def index(request: TandemRequest) -> HTTPResponse:
    docs = {}
    if request.app.ctx.state.settings.docs.enabled:
        docs = {"openapi": "/api/v1/openapi.json", "swagger": "/api/v1/docs", "redoc": "/api/v1/redoc"}
    body = ApiIndex(name="Tandem API", version=VERSION, docs=docs)
    return HTTPResponse(to_json(body), content_type=JSON)


@bp.get("/health")
@endpoint(PUBLIC, response=Health, envelope=False, problems=(503,), summary="Liveness and readiness", tag="system")
async def health(request: TandemRequest) -> HTTPResponse:
    state = request.app.ctx.state
    checks = await run_checks(state)
    failing = [name for name, result in checks.items() if result == DOWN]
    if state.redis is None:
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
