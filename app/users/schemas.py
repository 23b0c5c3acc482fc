"""How a user is shown to themselves. Never carries a hash or a secret."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import Field

from app.core.schemas import ResponseModel
from models import User


class UserPublic(ResponseModel):
    id: UUID
    name: str
    nickname: str
    email: str
    global_role: str | None
    current_organization_id: UUID | None
    email_verified: bool
    mfa_enabled: bool
    timezone: str
    locale: str
    preferences: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserPublic:
        return cls.model_validate(user)
