"""Request and response shapes of /auth/mfa."""

from __future__ import annotations

from pydantic import Field

from app.auth.one_time_tokens import TokenField
from app.auth.passwords import GivenPassword
from app.core.schemas import RequestModel, ResponseModel

# six digits from the app, or a recovery code such as "abcde-fghjk"
CodeField = Field(
    min_length=6,
    max_length=32,
    pattern=r"^[A-Za-z0-9 -]+$",
    description="A 6-digit code from the authenticator app, or a recovery code",
)


class MfaEnrollment(ResponseModel):
    """Shown once: the secret and the recovery codes cannot be read again."""

    secret: str = Field(description="Base32 TOTP secret, for typing into an app")
    otpauth_uri: str = Field(description="otpauth:// URI, for a QR code")
    recovery_codes: list[str] = Field(description="Ten single-use codes for when the phone is lost")


class MfaEnroll(RequestModel):
    """The current password again: a session alone must not turn a second factor on."""

    password: GivenPassword


class MfaActivate(RequestModel):
    code: str = CodeField
    password: GivenPassword


class MfaDisable(RequestModel):
    password: GivenPassword
    code: str = CodeField


class MfaVerify(RequestModel):
    mfa_token: TokenField
    code: str = CodeField


class MfaStatus(ResponseModel):
    mfa_enabled: bool
