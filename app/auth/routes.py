"""/auth under a mount (app.core.mount): sign-up, sign-in, sign-out (SPEC §2)."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.auth.cookies import SessionCookies
from app.auth.schemas import SignIn, SignInOutcome, SignUp
from app.auth.service import AuthService
from app.auth.signed_in import signed_in_response
from app.core import responses
from app.core.access import AUTH_MAILS_ACCOUNT, AUTH_SIGN_IN, AUTHENTICATED
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.request import TandemRequest
from app.users.schemas import UserPublic


def blueprint(mount: Mount, *, auth: AuthService, cookies: SessionCookies) -> Blueprint:
    """Handlers use what is given here, built once at start-up (app.capabilities)."""
    bp = mount.blueprint("auth", url_prefix="/auth")

    @bp.post("/sign-up")
    @endpoint(
        AUTH_MAILS_ACCOUNT,
        body=SignUp,
        response=UserPublic,
        status=201,
        problems={
            403: "Wrong or missing X-Client-Key, or the invite was sent to another email",
            409: "The email or nickname is taken",
            422: "The invite token is invalid, revoked, replaced, accepted or expired",
        },
        summary="Create an account",
        tag="auth",
        description="With `invite_token`, the account starts with its email verified, as a member "
        "of the invite's organization (its current one), and no verification email is sent.",
    )
    async def sign_up(request: TandemRequest, body: SignUp) -> HTTPResponse:
        callback = auth.verification_callback(body.callback_url)
        user = await auth.sign_up(body, callback=callback)
        return responses.created(user, location=mount.path("/me"))

    @bp.post("/sign-in")
    @endpoint(
        AUTH_SIGN_IN,
        body=SignIn,
        response=SignInOutcome,
        summary="Sign in",
        tag="auth",
        problems={401: "Wrong email or password"},
        description="Sets the `tandem_session` cookie, or with `token: true` returns bearer "
        "tokens. With two-factor authentication on, answers `mfa_required` and an "
        "`mfa_token` instead: POST /auth/mfa/verify completes the sign-in.",
    )
    async def sign_in(request: TandemRequest, body: SignIn) -> HTTPResponse:
        result = await auth.sign_in(
            body, ip_address=request.ctx.client_ip, user_agent=request.headers.get("user-agent", "")
        )
        return signed_in_response(result, cookies)

    @bp.post("/sign-out")
    @endpoint(
        AUTHENTICATED,
        summary="Sign out (revoke this session)",
        tag="auth",
        problems={401: "No live session; a session cookie sent with the request is cleared all the same"},
        description="Revokes the current session and clears the `tandem_session` cookie.",
    )
    async def sign_out(request: TandemRequest) -> HTTPResponse:
        await auth.sign_out(request.principal)
        response = responses.success()
        cookies.clear(response)
        return response

    return bp
