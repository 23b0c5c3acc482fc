"""Request shapes of the emailed account flows."""

from __future__ import annotations

from pydantic import Field

from app.auth.one_time_tokens import TokenField
from app.auth.passwords import NewPassword
from app.core.callbacks import CallbackUrl
from app.core.schemas import EmailAddress, RequestModel


class ForgotPassword(RequestModel):
    email: EmailAddress
    callback_url: CallbackUrl


class ResetPassword(RequestModel):
    token: TokenField
    new_password: NewPassword


class VerifyEmail(RequestModel):
    token: TokenField


class SendVerificationEmail(RequestModel):
    callback_url: CallbackUrl | None = Field(
        None, description="Page that receives the token; default: the web app's /verify-email"
    )
