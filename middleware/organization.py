"""Link: which organization an org-scoped route acts in, and the caller's role there.

The organization named in the path (`/organizations/{organization_id}/...`), else
`X-Organization-Id`, else the user's current organization. A user who is not an active
member gets 404, exactly as for an organization that does not exist (SPEC §1: never leak
that an organization exists). Users with a global role may act in any live organization.
"""

from __future__ import annotations

from uuid import UUID

from sanic.response import HTTPResponse

from app.core import errors
from app.core.membership import NO_SUCH_ORGANIZATION, resolve_membership
from app.core.request import TandemRequest
from middleware.base import Link

# the path parameter that names the organization on /organizations/{organization_id}/...
PATH_PARAMETER = "organization_id"


class OrganizationLink(Link):
    name = "organization"
    requires = ("session",)

    async def on_request(self, request: TandemRequest) -> HTTPResponse | None:
        ctx = request.ctx
        if ctx.access is None or not ctx.access.organization or ctx.principal is None:
            return None
        organization_id = self.selected_organization(request)
        role = ctx.principal.role_in(organization_id)
        if role is not None:
            # from the session snapshot, no query: every change to a membership or its
            # organization refreshes the snapshots of the users it concerns. Only what the
            # snapshot holds is trusted; anything else is asked of the database
            ctx.organization_id, ctx.organization_role = organization_id, role
            return None
        membership = await resolve_membership(
            organization_id=organization_id,
            user_id=ctx.principal.user_id,
            global_role=ctx.principal.global_role,
        )
        if membership is None:
            raise errors.NotFound(NO_SUCH_ORGANIZATION)
        ctx.organization_id, ctx.organization_role = membership
        return None

    @staticmethod
    def selected_organization(request: TandemRequest) -> UUID:
        in_path = request.match_info.get(PATH_PARAMETER)
        if in_path is not None:
            # a header naming another organization is ignored; routes declare the parameter
            # `<organization_id:uuid>`, so the router has parsed it (tests/core/test_routes.py)
            if not isinstance(in_path, UUID):
                raise errors.NotFound(NO_SUCH_ORGANIZATION)
            return in_path
        header = request.headers.get("x-organization-id")
        if header is not None:
            try:
                return UUID(header)
            except ValueError:
                raise errors.ValidationFailed.of_field("X-Organization-Id", "must be a UUID") from None
        principal = request.principal
        if principal.current_organization_id is None:
            raise errors.NotFound("No organization selected: send X-Organization-Id")
        return principal.current_organization_id
