"""Shapes of users administration (SPEC §5): what an administrator sees of a user and may
change. Admin inputs are kept apart from the self-service ones (app.me.schemas)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import Field, StrictBool, field_validator
from pydantic.json_schema import SkipJsonSchema

from app.core.pagination import PageQuery
from app.core.schemas import RequestModel, ResponseModel, omit_default, refuse_null
from models import User

GlobalRole = Literal["Owner", "PlatformAdmin"]
SEARCH_MAX_LENGTH = 254  # the longest email address: anything longer matches nothing


class UserAdminView(ResponseModel):
    """A user as administrators see them: no hash, secret or token."""

    id: UUID
    name: str
    nickname: str
    email: str
    global_role: GlobalRole | None
    email_verified: bool
    mfa_enabled: bool
    disabled: bool
    created_at: datetime
    deleted: bool = Field(description="The account was erased (its personal data anonymized)")

    @classmethod
    def of(cls, user: User) -> UserAdminView:
        return cls(
            id=user.id,
            name=user.name,
            nickname=user.nickname,
            email=user.email,
            global_role=user.global_role,  # type: ignore[arg-type]
            email_verified=user.email_verified,
            mfa_enabled=user.mfa_enabled,
            disabled=user.disabled,
            created_at=user.created_at,
            deleted=user.deleted_at is not None,
        )


class UserListQuery(PageQuery):
    disabled: bool | None = Field(None, description="Only disabled (true) or enabled (false) accounts")
    global_role: GlobalRole | Literal["none"] | None = Field(
        None, description='Only users with this global role; "none" for users without one'
    )
    deleted: bool | None = Field(None, description="Only erased (true) or live (false) accounts")


class UserSearch(PageQuery):
    """A search by personal data travels in the body, never in the URL (SPEC §1). The page
    fields (`limit`, `cursor` or `offset`) travel with it; a cursor is bound to its query."""

    query: str = Field(
        min_length=1,
        max_length=SEARCH_MAX_LENGTH,
        description="Matched case-insensitively anywhere in the name, nickname or email",
    )


class UserAdminUpdate(RequestModel):
    """Only the fields sent change (`exclude_unset`)."""

    disabled: StrictBool | SkipJsonSchema[None] = Field(
        None,
        description="true ends every session of the user at once and refuses their sign-ins",
        json_schema_extra=omit_default,
    )
    global_role: GlobalRole | None = Field(
        None, description="Grant a global role, or null to withdraw it (Owner only)"
    )

    @field_validator("disabled", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return refuse_null(value)
