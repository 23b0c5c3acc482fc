"""/auth/mfa under a mount (app.core.mount): TOTP enrollment, activation, sign-in verification, disable (SPEC §2)."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.auth.cookies import SessionCookies, came_by_cookie
from app.auth.mfa.schemas import (
    MfaActivate,
    MfaDisable,
    MfaEnroll,
    MfaEnrollment,
    MfaStatus,
    MfaVerify,
)
from app.auth.mfa.service import MfaService
from app.auth.schemas import SignedIn
from app.auth.service import AuthService
from app.auth.signed_in import signed_in_response
from app.core import responses
from app.core.access import AUTHENTICATED_AUTH, BY_MFA_CHALLENGE
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.request import TandemRequest


def blueprint(mount: Mount, *, mfa: MfaService, auth: AuthService, cookies: SessionCookies) -> Blueprint:
    """Handlers use what is given here, built once at start-up (app.capabilities)."""
    bp = mount.blueprint("auth_mfa", url_prefix="/auth/mfa")

    @bp.post("/enroll")
    @endpoint(
        AUTHENTICATED_AUTH,
        body=MfaEnroll,
        response=MfaEnrollment,
        problems=(409, 422),
        tag="auth",
        operation_id="auth_mfa_enroll",
        summary="Start two-factor authentication: a secret and ten recovery codes",
        description="Needs the current password (a wrong one counts towards the sign-in "
        "lockout) and a verified email (422 otherwise). Shown once. Nothing "
        "changes for sign-in until POST /auth/mfa/activate; enrolling again "
        "before that replaces the secret and the codes.",
    )
    async def enroll(request: TandemRequest, body: MfaEnroll) -> HTTPResponse:
        enrollment = await mfa.enroll(
            request.principal.user_id, password=body.password, client_ip=request.ctx.client_ip
        )
        return responses.ok(
            MfaEnrollment(
                secret=enrollment.secret,
                otpauth_uri=enrollment.otpauth_uri,
                recovery_codes=enrollment.recovery_codes,
            )
        )

    @bp.post("/activate")
    @endpoint(
        AUTHENTICATED_AUTH,
        body=MfaActivate,
        response=MfaStatus,
        problems=(409, 422),
        tag="auth",
        operation_id="auth_mfa_activate",
        summary="Switch two-factor authentication on with a code from the app",
        description="Needs the code and the current password (a wrong password counts "
        "towards the sign-in lockout). Every other session of the user ends: "
        "one opened with a stolen password must not outlive the second factor. "
        "A cookie session gets a new session token (and cookie): the level of "
        "the session changed, so a token known before cannot ride along.",
    )
    async def activate(request: TandemRequest, body: MfaActivate) -> HTTPResponse:
        principal = request.principal
        await mfa.activate(
            principal.user_id,
            code=body.code,
            password=body.password,
            client_ip=request.ctx.client_ip,
            keep_session_id=principal.session_id,
        )
        response = responses.ok(MfaStatus(mfa_enabled=True))
        if came_by_cookie(request):
            cookies.set(response, await auth.rotate_session(principal))
        return response

    @bp.post("/disable")
    @endpoint(
        AUTHENTICATED_AUTH,
        body=MfaDisable,
        response=MfaStatus,
        problems=(422,),
        tag="auth",
        operation_id="auth_mfa_disable",
        summary="Switch two-factor authentication off (password and a code)",
    )
    async def disable(request: TandemRequest, body: MfaDisable) -> HTTPResponse:
        await mfa.disable(
            request.principal.user_id, password=body.password, code=body.code, client_ip=request.ctx.client_ip
        )
        return responses.ok(MfaStatus(mfa_enabled=False))

    @bp.post("/verify")
    @endpoint(
        BY_MFA_CHALLENGE,
        body=MfaVerify,
        response=SignedIn,
        problems=(422,),
        tag="auth",
        operation_id="auth_mfa_verify",
        summary="Finish a sign-in with a TOTP or recovery code",
        description="Answers as sign-in does: a cookie, or bearer tokens when the sign-in "
        "asked for `token: true`. Five wrong codes end the challenge.",
    )
    async def verify(request: TandemRequest, body: MfaVerify) -> HTTPResponse:
        result = await auth.verify_second_factor(
            body.mfa_token,
            body.code,
            ip_address=request.ctx.client_ip,
            user_agent=request.headers.get("user-agent", ""),
        )
        return signed_in_response(result, cookies)

    return bp
