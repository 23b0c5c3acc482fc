"""Invites under a mount (app.core.mount), SPEC §5: an organization's invites (Manager and
above), accepting one, and the invites waiting for me. Flows and bounds: docs/invites.md."""

from __future__ import annotations

from uuid import UUID

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.core import responses
from app.core.access import AUTHENTICATED, AUTHENTICATED_BY_EMAILED_TOKEN, ORG_MANAGER
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.pagination import PageQuery
from app.core.request import TandemRequest
from app.invites.acceptance import InviteAcceptance
from app.invites.schemas import (
    AcceptInvite,
    InviteAccepted,
    InviteCreate,
    InvitePublic,
    InviteQuery,
    InviteResend,
    MyInvite,
)
from app.invites.service import InviteService

INVITES = "/organizations/<organization_id:uuid>/invites"
INVITE = INVITES + "/<invite_id:uuid>"


def blueprint(mount: Mount, *, invites: InviteService, acceptance: InviteAcceptance) -> Blueprint:
    """Handlers use the services given here, built once at start-up (app.capabilities)."""
    bp = mount.blueprint("invites")

    def invite_path(invite: InvitePublic) -> str:
        return mount.path(f"/organizations/{invite.organization_id}/invites/{invite.id}")

    @bp.post(INVITES)
    @endpoint(
        ORG_MANAGER,
        body=InviteCreate,
        response=InvitePublic,
        status=201,
        problems={
            403: "Role too low, or the role invited is above the inviter's own",
            409: "The address belongs to a member already",
            429: "Too many invite emails to this address (see Retry-After)",
        },
        summary="Invite someone to the organization by email",
        tag="invites",
        operation_id="invites_create",
        description="Emails a link with a single-use token (never in the response), valid for "
        "`organizations.invite_ttl_seconds`. A pending invite to the same address is replaced: "
        "its link stops working.",
    )
    async def create_invite(
        request: TandemRequest, organization_id: UUID, body: InviteCreate
    ) -> HTTPResponse:
        callback = invites.callback(body.callback_url)
        invite = await invites.create(request.actor, organization_id, body, callback=callback)
        return responses.created(invite, location=invite_path(invite))

    @bp.get(INVITES)
    @endpoint(
        ORG_MANAGER,
        query=InviteQuery,
        response=InvitePublic,
        listing=True,
        summary="The organization's invites, newest first",
        tag="invites",
        operation_id="invites_list",
        description="`status=expired`: pending invites past their expiry (shown as `expired`).",
    )
    async def list_invites(request: TandemRequest, organization_id: UUID, query: InviteQuery) -> HTTPResponse:
        return responses.listing(await invites.list(organization_id, query))

    @bp.get(INVITE)
    @endpoint(
        ORG_MANAGER,
        response=InvitePublic,
        summary="One invite of the organization",
        tag="invites",
        operation_id="invites_get",
    )
    async def get_invite(request: TandemRequest, organization_id: UUID, invite_id: UUID) -> HTTPResponse:
        return responses.ok(await invites.get(organization_id, invite_id))

    @bp.delete(INVITE)
    @endpoint(
        ORG_MANAGER,
        response=InvitePublic,
        problems={403: "Role too low, or the invite is for a role above one's own", 422: "Not pending"},
        summary="Revoke a pending invite: its link stops working",
        tag="invites",
        operation_id="invites_revoke",
    )
    async def revoke_invite(request: TandemRequest, organization_id: UUID, invite_id: UUID) -> HTTPResponse:
        return responses.ok(await invites.revoke(request.actor, organization_id, invite_id))

    @bp.post(INVITE + "/resend")
    @endpoint(
        ORG_MANAGER,
        body=InviteResend,
        response=InvitePublic,
        problems={
            403: "Role too low, or the invite is for a role above one's own",
            422: "Not pending, or sent again the most times allowed",
            429: "An invite email went to this address moments ago (see Retry-After)",
        },
        summary="Email a pending invite again, with a new link and a new expiry",
        tag="invites",
        operation_id="invites_resend",
        description="The earlier link stops working.",
    )
    async def resend_invite(
        request: TandemRequest, organization_id: UUID, invite_id: UUID, body: InviteResend
    ) -> HTTPResponse:
        callback = invites.callback(body.callback_url)
        invite = await invites.resend(request.actor, organization_id, invite_id, callback=callback)
        return responses.ok(invite)

    @bp.post("/invites/accept")
    @endpoint(
        AUTHENTICATED_BY_EMAILED_TOKEN,
        body=AcceptInvite,
        response=InviteAccepted,
        problems={
            403: "My email is not verified, or the invite was sent to another address",
            409: "Accepted already, or a member already",
            422: "The token is invalid, revoked, replaced or expired",
        },
        summary="Accept an invite with the emailed token",
        tag="invites",
        operation_id="invites_accept",
        description="The signed-in user's verified email must be the invite's. Joins the "
        "organization with the invite's role; it becomes the current organization if there is none.",
    )
    async def accept_invite(request: TandemRequest, body: AcceptInvite) -> HTTPResponse:
        return responses.ok(await acceptance.accept(request.principal.user_id, body.token))

    @bp.get("/me/invites")
    @endpoint(
        AUTHENTICATED,
        query=PageQuery,
        response=MyInvite,
        listing=True,
        summary="Invites waiting for me (pending, unexpired)",
        tag="invites",
        operation_id="invites_list_mine",
        description="Empty until my email is verified: an address nobody has proven is not "
        "enough to read the invites sent to it.",
    )
    async def my_invites(request: TandemRequest, query: PageQuery) -> HTTPResponse:
        return responses.listing(await acceptance.mine(request.principal.user_id, query))

    return bp
