"""/auth under a mount (app.core.mount): forgot/reset password and email verification (SPEC §2)."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.auth.email.schemas import ForgotPassword, ResetPassword, SendVerificationEmail, VerifyEmail
from app.auth.email.service import VERIFY_PAGE, EmailFlows
from app.core import errors, responses
from app.core.access import AUTH_MAILS_ACCOUNT, AUTHENTICATED_MAILS_ACCOUNT, BY_EMAILED_TOKEN
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.request import TandemRequest


def blueprint(mount: Mount, *, email: EmailFlows) -> Blueprint:
    """Handlers use the service given here, built once at start-up (app.capabilities)."""
    bp = mount.blueprint("auth_email", url_prefix="/auth")

    @bp.post("/forgot-password")
    @endpoint(
        AUTH_MAILS_ACCOUNT,
        body=ForgotPassword,
        summary="Email a password-reset link",
        tag="auth",
        description='Always answers `{"success": true}`, whether or not the account exists; '
        "the lookup and the email happen after the answer.",
    )
    async def forgot_password(request: TandemRequest, body: ForgotPassword) -> HTTPResponse:
        callback = email.check_callback(body.callback_url)
        await email.request_reset(body.email, callback=callback)
        return responses.success()

    @bp.post("/reset-password")
    @endpoint(
        BY_EMAILED_TOKEN,
        body=ResetPassword,
        problems=(422,),
        tag="auth",
        summary="Set a new password with the emailed token; ends every session",
    )
    async def reset_password(request: TandemRequest, body: ResetPassword) -> HTTPResponse:
        await email.reset_password(body.token, body.new_password)
        return responses.success()

    @bp.post("/verify-email")
    @endpoint(
        BY_EMAILED_TOKEN,
        body=VerifyEmail,
        problems=(422,),
        tag="auth",
        summary="Mark the email verified with the emailed token",
    )
    async def verify_email(request: TandemRequest, body: VerifyEmail) -> HTTPResponse:
        await email.verify_email(body.token)
        return responses.success()

    @bp.post("/send-verification-email")
    @endpoint(
        AUTHENTICATED_MAILS_ACCOUNT,
        body=SendVerificationEmail,
        problems=(422,),
        tag="auth",
        summary="Send a new verification email (the previous link stops working)",
    )
    async def send_verification_email(request: TandemRequest, body: SendVerificationEmail) -> HTTPResponse:
        callback = email.callback_or_default(body.callback_url, VERIFY_PAGE)
        sent = await email.resend_verification(request.principal.user_id, callback=callback)
        if not sent:
            raise errors.BusinessRuleViolated("This email address is already verified")
        return responses.success()

    return bp
