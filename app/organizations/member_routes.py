"""/organizations/{organization_id}/members under a mount (app.core.mount)."""

from __future__ import annotations

from uuid import UUID

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.core import responses
from app.core.access import ORG_MANAGER, ORG_MEMBER
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.request import TandemRequest
from app.organizations.members import MemberService
from app.organizations.schemas import MemberPublic, MemberRoleChange, MembersQuery

TAG = "members"
MANAGED = (
    "Manager level at least; nobody manages a member whose role is above their own, nor "
    "themselves (leave instead: DELETE /me/organizations/{organization_id}). "
)
NOT_ALLOWED = "Wrong or missing X-Client-Key, or your role does not allow managing this member"
LAST_ADMIN = "The organization's last OrganizationAdmin"


def blueprint(mount: Mount, *, members: MemberService) -> Blueprint:
    """Handlers use the service given here, built once at start-up (app.capabilities)."""
    bp = mount.blueprint("organization_members", url_prefix="/organizations/<organization_id:uuid>/members")

    @bp.get("")
    @endpoint(
        ORG_MEMBER,
        query=MembersQuery,
        response=MemberPublic,
        listing=True,
        tag=TAG,
        summary="Members of an organization",
        description="Filtered by `role` and `status` (default: active). Users with a global "
        "role are not listed. `email` is shown to Managers and above only (null otherwise).",
    )
    async def list_members(
        request: TandemRequest, organization_id: UUID, query: MembersQuery
    ) -> HTTPResponse:
        page = await members.list_members(request.actor, organization_id, query)
        return responses.listing_rows(page)

    @bp.patch("/<user_id:uuid>")
    @endpoint(
        ORG_MANAGER,
        body=MemberRoleChange,
        response=MemberPublic,
        problems={403: NOT_ALLOWED, 422: LAST_ADMIN + " cannot be demoted"},
        tag=TAG,
        summary="Change a member's role",
        description=MANAGED + "Nobody grants a role above their own (403).",
    )
    async def change_role(
        request: TandemRequest, organization_id: UUID, user_id: UUID, body: MemberRoleChange
    ) -> HTTPResponse:
        member = await members.change_role(request.actor, organization_id, user_id, body.role)
        return responses.ok(member)

    @bp.delete("/<user_id:uuid>")
    @endpoint(
        ORG_MANAGER,
        problems={403: NOT_ALLOWED, 422: LAST_ADMIN + " cannot be removed"},
        tag=TAG,
        summary="Remove a member",
        description=MANAGED + "The member loses access at once; the membership is kept as `removed`.",
    )
    async def remove(request: TandemRequest, organization_id: UUID, user_id: UUID) -> HTTPResponse:
        await members.remove(request.actor, organization_id, user_id)
        return responses.success()

    return bp
