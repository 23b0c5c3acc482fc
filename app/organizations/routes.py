"""/organizations under a mount (app.core.mount) (phase 1 grows this; for now: the organization in context)."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.core import responses
from app.core.access import ORG_MEMBER
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.request import TandemRequest
from app.organizations import service
from app.organizations.schemas import CurrentOrganization


def blueprint(mount: Mount) -> Blueprint:
    bp = mount.blueprint("organizations", url_prefix="/organizations")

    @bp.get("/current")
    @endpoint(
        ORG_MEMBER,
        response=CurrentOrganization,
        tag="organizations",
        summary="The organization this request acts in, and my role there",
    )
    async def current(request: TandemRequest) -> HTTPResponse:
        result = await service.current_organization(
            organization_id=request.ctx.organization_id,  # type: ignore[arg-type]  # set for org routes
            role=request.ctx.organization_role,
        )
        return responses.ok(result)

    return bp
