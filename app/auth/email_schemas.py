"""Request shapes of the emailed account flows."""

from __future__ import annotations

from pydantic import EmailStr, Field, field_validator

from app.auth.one_time_tokens import TokenField
from app.auth.passwords import NewPassword
from app.core.callbacks import CallbackUrl
from app.core.schemas import RequestModel


class ForgotPassword(RequestModel):
    email: EmailStr = Field(max_length=254)
    callback_url: CallbackUrl

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()


class ResetPassword(RequestModel):
    token: TokenField
    new_password: NewPassword


class VerifyEmail(RequestModel):
    token: TokenField


class SendVerificationEmail(RequestModel):
    callback_url: CallbackUrl | None = Field(
        None, description="Page that receives the token; default: the web app's /verify-email"
    )
