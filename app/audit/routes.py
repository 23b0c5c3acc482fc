"""The audit log under a mount (app.core.mount): an organization's, for its
OrganizationAdmins, and the whole platform's, for PlatformAdmins (SPEC §5)."""

from __future__ import annotations

from uuid import UUID

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.audit.schemas import AuditEventQuery, PlatformAuditEventQuery
from app.audit.service import AuditLog
from app.core import responses
from app.core.access import ORG_ADMIN, PLATFORM_ADMIN
from app.core.audit import AuditEventPublic
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.request import TandemRequest

FILTERS = (
    "Filters: `actor_id`, `action`, `target_type`, `target_id` (with `target_type`), `since` "
    "(inclusive) and `until` (exclusive), RFC 3339 times. Newest first; entries hold the "
    "names of the changed fields, never their values."
)


def blueprint(mount: Mount, *, audit_log: AuditLog) -> Blueprint:
    """Handlers use the service given here, built once at start-up (app.capabilities)."""
    bp = mount.blueprint("audit")

    @bp.get("/organizations/<organization_id:uuid>/audit-events")
    @endpoint(
        ORG_ADMIN,
        query=AuditEventQuery,
        response=AuditEventPublic,
        listing=True,
        summary="An organization's audit log",
        tag="audit",
        description="What was done in this organization, for its OrganizationAdmins. " + FILTERS,
    )
    async def organization_audit_events(
        request: TandemRequest, organization_id: UUID, query: AuditEventQuery
    ) -> HTTPResponse:
        # the organization link has resolved the path's organization (404 for non-members)
        return responses.listing_rows(await audit_log.organization_events(organization_id, query))

    @bp.get("/admin/audit-events")
    @endpoint(
        PLATFORM_ADMIN,
        query=PlatformAuditEventQuery,
        response=AuditEventPublic,
        listing=True,
        summary="The platform's audit log",
        tag="audit",
        description="Every entry, inside organizations and outside (sign-ins, users "
        "administration), for PlatformAdmins; `organization_id` narrows it to one. " + FILTERS,
    )
    async def platform_audit_events(request: TandemRequest, query: PlatformAuditEventQuery) -> HTTPResponse:
        return responses.listing_rows(await audit_log.platform_events(query))

    return bp
