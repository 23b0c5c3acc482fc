"""/me and my organizations, under a mount (app.core.mount)."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.core import responses
from app.core.access import AUTHENTICATED, AUTHENTICATED_AUTH
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.pagination import PageQuery, Paginator
from app.core.request import TandemRequest
from app.me.schemas import AccountDeletion, AccountExport, CurrentOrganizationChoice, MeUpdate
from app.me.service import AccountService
from app.organizations import service as organizations
from app.organizations.members import MemberService
from app.organizations.schemas import MembershipPublic
from app.users.schemas import UserPublic


def blueprint(
    mount: Mount,
    *,
    account: AccountService,
    members: MemberService,
    paginator: Paginator,
    clear_session_cookie: Callable[[HTTPResponse], None],
) -> Blueprint:
    """Handlers use what is given here, built once at start-up (app.capabilities)."""
    bp = mount.blueprint("me", url_prefix="/me")

    @bp.get("")
    @endpoint(AUTHENTICATED, response=UserPublic, summary="The signed-in user", tag="me")
    async def me(request: TandemRequest) -> HTTPResponse:
        # Served from the session snapshot: no database query on this hot path.
        return HTTPResponse(b'{"data":' + request.principal.user_json + b"}", content_type=responses.JSON)

    @bp.get("/organizations")
    @endpoint(
        AUTHENTICATED,
        query=PageQuery,
        response=MembershipPublic,
        listing=True,
        summary="My organizations, with my role in each",
        tag="me",
        operation_id="me_list_organizations",
    )
    async def my_organizations(request: TandemRequest, query: PageQuery) -> HTTPResponse:
        page = await organizations.list_memberships(
            user_id=request.principal.user_id, page=query, paginator=paginator
        )
        return responses.listing(page)

    @bp.delete("/organizations/<organization_id:uuid>")
    @endpoint(
        AUTHENTICATED,
        problems={404: "Not a member of this organization", 422: "I am its last OrganizationAdmin"},
        summary="Leave an organization",
        tag="me",
        operation_id="me_leave_organization",
        description="My membership ends at once. The last OrganizationAdmin cannot leave (422): "
        "make another member an admin first.",
    )
    async def leave_organization(request: TandemRequest, organization_id: UUID) -> HTTPResponse:
        await members.leave(request.principal.user_id, organization_id)
        return responses.success()

    @bp.patch("")
    @endpoint(
        AUTHENTICATED,
        body=MeUpdate,
        response=UserPublic,
        summary="Change my settings",
        tag="me",
        description="Only `timezone`, `locale` and `preferences`. Any other field "
        "is refused (400): name, nickname, email and password change through /profile.",
    )
    async def update_me(request: TandemRequest, body: MeUpdate) -> HTTPResponse:
        user = await account.update(request.principal.user_id, body)
        return responses.ok(user)

    @bp.put("/current-organization")
    @endpoint(
        AUTHENTICATED,
        body=CurrentOrganizationChoice,
        response=UserPublic,
        problems=(404,),
        summary="Choose the organization requests act in by default",
        tag="me",
    )
    async def choose_current_organization(
        request: TandemRequest, body: CurrentOrganizationChoice
    ) -> HTTPResponse:
        principal = request.principal
        user = await account.choose_organization(
            principal.user_id,
            body.organization_id,
            global_role=principal.global_role,
        )
        return responses.ok(user)

    @bp.get("/export")
    @endpoint(
        AUTHENTICATED,
        response=AccountExport,
        summary="Everything held about me, as JSON",
        tag="me",
        description="For data portability; sent as a file download.",
    )
    async def export_me(request: TandemRequest) -> HTTPResponse:
        exported = await account.export(request.principal.user_id)
        filename = f"tandem-export-{exported.exported_at:%Y-%m-%d}.json"
        return responses.ok(exported, headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    @bp.delete("")
    @endpoint(
        AUTHENTICATED_AUTH,
        body=AccountDeletion,
        problems=(409, 422),
        tag="me",
        summary="Delete my account (password required)",
        description="Personal data is anonymized and every session ends; what others need "
        '(authorship, history) stays, shown as "Deleted user".',
    )
    async def delete_me(request: TandemRequest, body: AccountDeletion) -> HTTPResponse:
        await account.erase(request.principal.user_id, body.password, client_ip=request.ctx.client_ip)
        response = responses.success()
        clear_session_cookie(response)
        return response

    return bp
