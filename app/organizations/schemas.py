"""Shapes of organizations and memberships."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from app.core.pagination import PageQuery
from app.core.schemas import RequestModel, ResponseModel, omit_default, refuse_null
from app.core.text import DisplayName
from models.organizations import MembershipStatus

# 3–64 of [a-z0-9-], neither starting nor ending with a hyphen (it is part of URLs)
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$"
Slug = Annotated[
    str, Field(pattern=SLUG_PATTERN, min_length=3, max_length=64, description="URL-safe, unique")
]
# the roles a membership can carry (app.core.roles.ORGANIZATION_ROLES); global roles are
# granted on the user by an Owner, never through a membership
OrganizationRoleName = Literal["OrganizationAdmin", "Manager", "Coach", "Teacher"]


class OrganizationPublic(ResponseModel):
    id: UUID
    name: str
    slug: str
    plan: str = Field(description="Read-only: set by billing")
    billing_status: str = Field(description="Read-only: set by billing")
    created_at: datetime
    updated_at: datetime


class OrganizationAdminView(OrganizationPublic):
    """An organization as platform administrators see it: deleted ones too."""

    deleted_at: datetime | None


class OrganizationCreate(RequestModel):
    name: DisplayName
    slug: Slug | None = Field(None, description="Made from the name when left out")


class OrganizationUpdate(RequestModel):
    """Only the name and the slug; plan and billing status belong to billing."""

    name: DisplayName | SkipJsonSchema[None] = Field(None, json_schema_extra=omit_default)
    slug: Slug | SkipJsonSchema[None] = Field(None, json_schema_extra=omit_default)

    @field_validator("name", "slug", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return refuse_null(value)


class OrganizationsQuery(PageQuery):
    deleted: bool | None = Field(None, description="true: only deleted ones; false: only live ones")


class MembershipPublic(ResponseModel):
    organization: OrganizationPublic
    role_in_organization: str
    status: str
    created_at: datetime


class CurrentOrganization(ResponseModel):
    organization: OrganizationPublic
    # None for a user acting through a global role
    role_in_organization: str | None


class MembersQuery(PageQuery):
    role: OrganizationRoleName | None = None
    status: MembershipStatus = MembershipStatus.ACTIVE


class MemberPublic(ResponseModel):
    user_id: UUID
    name: str
    nickname: str
    # only for Manager level and above (app.core.policy.may_see_member_emails)
    email: str | None = Field(None, description="Shown to Managers and above only")
    role_in_organization: str
    status: str
    joined: datetime


class MemberRoleChange(RequestModel):
    role: OrganizationRoleName
