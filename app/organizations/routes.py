"""/organizations under a mount (app.core.mount): create, read, rename, delete, restore."""

from __future__ import annotations

from uuid import UUID

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.core import responses
from app.core.access import AUTHENTICATED, ORG_ADMIN, ORG_MEMBER, PLATFORM_ADMIN
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.request import TandemRequest
from app.organizations import service
from app.organizations.schemas import (
    CurrentOrganization,
    OrganizationAdminView,
    OrganizationCreate,
    OrganizationPublic,
    OrganizationsQuery,
    OrganizationUpdate,
)
from app.organizations.service import OrganizationService

TAG = "organizations"


def blueprint(mount: Mount, *, organizations: OrganizationService) -> Blueprint:
    """Handlers use the service given here, built once at start-up (app.capabilities)."""
    bp = mount.blueprint("organizations", url_prefix="/organizations")

    @bp.post("")
    @endpoint(
        AUTHENTICATED,
        body=OrganizationCreate,
        response=OrganizationPublic,
        status=201,
        problems={
            403: "Wrong or missing X-Client-Key, or self service is off and the caller is no PlatformAdmin",
            409: "The slug is taken",
            422: "The caller's email address is not verified",
        },
        tag=TAG,
        summary="Create an organization",
        description="The caller becomes its OrganizationAdmin, and it becomes their current "
        "organization. Needs a verified email address (422 otherwise). When "
        "`organizations.self_service` is off, only PlatformAdmin and Owner may create (403). "
        "Without a `slug`, one is made from the name (with a suffix if taken); a given "
        "slug that is taken is 409.",
    )
    async def create(request: TandemRequest, body: OrganizationCreate) -> HTTPResponse:
        organization = await organizations.create(request.actor, body)
        return responses.created(organization, location=mount.path(f"/organizations/{organization.id}"))

    @bp.get("")
    @endpoint(
        PLATFORM_ADMIN,
        query=OrganizationsQuery,
        response=OrganizationAdminView,
        listing=True,
        tag=TAG,
        summary="Every organization, deleted ones too (platform administrators)",
        operation_id="organizations_list",
    )
    async def list_organizations(request: TandemRequest, query: OrganizationsQuery) -> HTTPResponse:
        page = await organizations.list_all(query)
        return responses.listing(page)

    @bp.get("/current")
    @endpoint(
        ORG_MEMBER,
        response=CurrentOrganization,
        tag=TAG,
        summary="The organization this request acts in, and my role there",
    )
    async def current(request: TandemRequest) -> HTTPResponse:
        result = await service.current_organization(
            organization_id=request.ctx.organization_id,  # type: ignore[arg-type]  # set for org routes
            role=request.ctx.organization_role,
        )
        return responses.ok(result)

    @bp.get("/<organization_id:uuid>")
    @endpoint(ORG_MEMBER, response=OrganizationPublic, tag=TAG, summary="An organization I am a member of")
    async def get(request: TandemRequest, organization_id: UUID) -> HTTPResponse:
        return responses.ok(await organizations.get(organization_id))

    @bp.patch("/<organization_id:uuid>")
    @endpoint(
        ORG_ADMIN,
        body=OrganizationUpdate,
        response=OrganizationPublic,
        problems={409: "The slug is taken"},
        tag=TAG,
        summary="Rename an organization or change its slug",
        description="Only `name` and `slug`; any other field (plan, billing status, ids) is refused (400).",
    )
    async def update(request: TandemRequest, organization_id: UUID, body: OrganizationUpdate) -> HTTPResponse:
        return responses.ok(await organizations.update(organization_id, body))

    @bp.delete("/<organization_id:uuid>")
    @endpoint(
        ORG_ADMIN,
        tag=TAG,
        summary="Delete an organization",
        description="A soft delete: members lose access at once; a PlatformAdmin can restore it.",
    )
    async def delete(request: TandemRequest, organization_id: UUID) -> HTTPResponse:
        await organizations.delete(organization_id)
        return responses.success()

    @bp.post("/<organization_id:uuid>/restore")
    @endpoint(
        PLATFORM_ADMIN,
        response=OrganizationAdminView,
        problems={404: "No such organization", 409: "The organization is not deleted"},
        tag=TAG,
        summary="Restore a deleted organization (platform administrators)",
    )
    async def restore(request: TandemRequest, organization_id: UUID) -> HTTPResponse:
        return responses.ok(await organizations.restore(organization_id))

    return bp
