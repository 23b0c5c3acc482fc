"""Request and response shapes of /api/v1/auth."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import EmailStr, Field, field_validator

from app.core.schemas import RequestModel, ResponseModel
from app.users.schemas import UserPublic

NICKNAME_PATTERN = r"^[a-z0-9_-]{3,32}$"


def _normalize_email(value: str) -> str:
    return value.strip().lower()


class SignUp(RequestModel):
    name: str = Field(min_length=1, max_length=120)
    nickname: str = Field(pattern=NICKNAME_PATTERN, description="3–32 of [a-z0-9_-]")
    email: EmailStr = Field(max_length=254)
    # 8–128; a longer password is refused, never truncated (issue 4 adds the common list)
    password: str = Field(min_length=8, max_length=128)

    _email = field_validator("email")(_normalize_email)


class SignIn(RequestModel):
    email: EmailStr = Field(max_length=254)
    password: str = Field(min_length=1, max_length=128)
    token: bool = Field(False, description="Return bearer tokens instead of setting a cookie")

    _email = field_validator("email")(_normalize_email)


class SessionPublic(ResponseModel):
    id: UUID
    created_at: datetime
    expires_at: datetime


class SignedIn(ResponseModel):
    user: UserPublic
    session: SessionPublic
    access_token: str | None = Field(None, description="Only with `token: true`")
    refresh_token: str | None = Field(None, description="Only with `token: true`")
    expires_in: int | None = Field(None, description="Seconds until the session's absolute end")
