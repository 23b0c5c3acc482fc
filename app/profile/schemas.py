"""Request and response shapes of /profile (SPEC §3).

SPEC §3 fixes these answers as they are, without the `{"data": …}` envelope:
`{"status": true}` for a request, and the confirmation's own fields.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.auth.one_time_tokens import TokenField
from app.auth.passwords import GivenPassword, NewPassword
from app.auth.schemas import NICKNAME_PATTERN
from app.core.callbacks import CallbackUrl
from app.core.schemas import EmailAddress, RequestModel, ResponseModel
from app.core.text import DisplayName
from app.users.schemas import UserPublic


class ProfileChange(RequestModel):
    name: DisplayName
    nickname: str = Field(pattern=NICKNAME_PATTERN, description="3–32 of [a-z0-9_-]")
    callback_url: CallbackUrl


class EmailChange(RequestModel):
    new_email: EmailAddress
    callback_url: CallbackUrl


class PasswordChange(RequestModel):
    current_password: GivenPassword
    new_password: NewPassword
    callback_url: CallbackUrl


class ConfirmChange(RequestModel):
    token: TokenField


class ChangeRequested(ResponseModel):
    status: bool = True


class ChangeConfirmed(ResponseModel):
    status: bool = True
    type: Literal["profile", "email", "password"]
    step: Literal["completed", "new-email-verification-sent"]
    requires_login: bool = Field(description="True after a password change: every session ended")
    user: UserPublic | None = Field(description="The changed user; null when requires_login")
