"""/profile under a mount (app.core.mount): profile changes confirmed by email (SPEC §3)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.core import responses
from app.core.access import AUTHENTICATED_MAILS_ACCOUNT, BY_EMAILED_TOKEN
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.request import TandemRequest
from app.profile.schemas import (
    ChangeConfirmed,
    ChangeRequested,
    ConfirmChange,
    EmailChange,
    PasswordChange,
    ProfileChange,
)
from app.profile.service import ProfileService

REQUESTED = responses.to_json(ChangeRequested())


def blueprint(mount: Mount, *, profile: ProfileService) -> Blueprint:
    """Handlers use the service given here, built once at start-up (app.capabilities)."""
    bp = mount.blueprint("profile", url_prefix="/profile")

    async def request_change(
        request: TandemRequest,
        body: ProfileChange | EmailChange | PasswordChange,
        change: Callable[..., Awaitable[None]],
    ) -> HTTPResponse:
        """Check the callback_url (400), then let the service verify and email (SPEC §3)."""
        callback = profile.check_callback(body.callback_url)
        await change(request.principal.user_id, body, callback=callback)
        return HTTPResponse(REQUESTED, content_type=responses.JSON)

    @bp.post("/request-profile-change")
    @endpoint(
        AUTHENTICATED_MAILS_ACCOUNT,
        body=ProfileChange,
        response=ChangeRequested,
        envelope=False,
        problems=(409,),
        tag="profile",
        summary="Change name and nickname, once confirmed from an email",
    )
    async def request_profile_change(request: TandemRequest, body: ProfileChange) -> HTTPResponse:
        return await request_change(request, body, profile.request_profile_change)

    @bp.post("/request-email-change")
    @endpoint(
        AUTHENTICATED_MAILS_ACCOUNT,
        body=EmailChange,
        response=ChangeRequested,
        envelope=False,
        problems=(409, 422),
        tag="profile",
        summary="Change the email address: confirmed from the old address, then the new one",
    )
    async def request_email_change(request: TandemRequest, body: EmailChange) -> HTTPResponse:
        return await request_change(request, body, profile.request_email_change)

    @bp.post("/request-password-change")
    @endpoint(
        AUTHENTICATED_MAILS_ACCOUNT,
        body=PasswordChange,
        response=ChangeRequested,
        envelope=False,
        problems=(422,),
        tag="profile",
        summary="Change the password, once confirmed from an email; signs out everywhere",
    )
    async def request_password_change(request: TandemRequest, body: PasswordChange) -> HTTPResponse:
        # the current password is re-checked: the lockout counts wrong ones per client IP
        change = partial(profile.request_password_change, client_ip=request.ctx.client_ip)
        return await request_change(request, body, change)

    @bp.post("/confirm-change")
    @endpoint(
        BY_EMAILED_TOKEN,
        body=ConfirmChange,
        response=ChangeConfirmed,
        envelope=False,
        problems=(409, 422),
        tag="profile",
        summary="Apply a change with the emailed token",
        description="An email change has two steps: the old address's token sends a link to "
        "the new address (`new-email-verification-sent`), whose token completes "
        "it. A password change ends every session (`requires_login`).",
    )
    async def confirm_change(request: TandemRequest, body: ConfirmChange) -> HTTPResponse:
        confirmed = await profile.confirm_change(body.token)
        return HTTPResponse(responses.to_json(confirmed), content_type=responses.JSON)

    return bp
