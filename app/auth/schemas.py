"""Request and response shapes of /auth."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field, RootModel

from app.auth.passwords import GivenPassword, NewPassword
from app.auth.tokens import TOKEN_PATTERN
from app.core.callbacks import CallbackUrl
from app.core.schemas import EmailAddress, RequestModel, ResponseModel
from app.core.text import DisplayName
from app.invites.schemas import InviteToken
from app.users.schemas import UserPublic

NICKNAME_PATTERN = r"^[a-z0-9_-]{3,32}$"


class SignUp(RequestModel):
    name: DisplayName
    nickname: str = Field(pattern=NICKNAME_PATTERN, description="3–32 of [a-z0-9_-]")
    email: EmailAddress
    password: NewPassword = Field(description="8–128 characters, not a commonly used password")
    callback_url: CallbackUrl | None = Field(
        None, description="Page the verification email links to; default: the web app's /verify-email"
    )
    invite_token: InviteToken | None = Field(
        None,
        description="The token of an invite sent to this email: the account starts verified, "
        "as a member of the invite's organization, and no verification email is sent",
    )


class SignIn(RequestModel):
    email: EmailAddress
    password: GivenPassword
    token: bool = Field(False, description="Return bearer tokens instead of setting a cookie")


class SessionPublic(ResponseModel):
    id: UUID
    created_at: datetime
    expires_at: datetime


class SignedIn(ResponseModel):
    user: UserPublic
    session: SessionPublic
    access_token: str | None = Field(None, description="Only with `token: true`")
    refresh_token: str | None = Field(None, description="Only with `token: true`")
    expires_in: int | None = Field(
        None, description="Only with `token: true`: seconds until the access token ends"
    )


class MfaRequired(ResponseModel):
    """The password was right; POST /auth/mfa/verify with this token and a code."""

    mfa_required: bool = True
    mfa_token: str = Field(description="Single use, expires after accounts.mfa_challenge_seconds")


class SignInOutcome(RootModel[SignedIn | MfaRequired]):
    """A session, or (two-factor authentication on) a challenge to answer first."""


RefreshTokenField = Field(pattern=TOKEN_PATTERN, description="The current refresh token")


class Refresh(RequestModel):
    refresh_token: str = RefreshTokenField


class TokenPair(ResponseModel):
    access_token: str
    refresh_token: str
    expires_in: int = Field(description="Seconds until the access token ends")


class SessionInfo(ResponseModel):
    """One of my sessions, as GET /auth/sessions lists it."""

    id: UUID
    created_at: datetime
    last_seen_at: datetime
    ip_address: str
    user_agent: str
    kind: str = Field(description="`cookie` (web) or `bearer` (mobile, desktop)")
    current: bool = Field(description="The session this request was made with")


class NoBody(RequestModel):
    """No fields: an empty object, or no body at all."""
