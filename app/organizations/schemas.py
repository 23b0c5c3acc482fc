"""Shapes of organizations and memberships."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from app.core.schemas import ResponseModel


class OrganizationPublic(ResponseModel):
    id: UUID
    name: str
    slug: str
    plan: str
    created_at: datetime


class MembershipPublic(ResponseModel):
    organization: OrganizationPublic
    role_in_organization: str
    status: str
    created_at: datetime


class CurrentOrganization(ResponseModel):
    organization: OrganizationPublic
    # None for a user acting through a global role
    role_in_organization: str | None
