"""Reading organizations and memberships. Every query here is scoped by the caller."""

from __future__ import annotations

from uuid import UUID

from app.core import errors
from app.core.pagination import Page, PageQuery, Paginator
from app.organizations.schemas import CurrentOrganization, MembershipPublic, OrganizationPublic
from models import Organization, OrganizationUser
from models.organizations import MembershipStatus


async def list_memberships(*, user_id: UUID, page: PageQuery, paginator: Paginator) -> Page[MembershipPublic]:
    queryset = OrganizationUser.filter(
        user_id=user_id, status=MembershipStatus.ACTIVE, organization__deleted_at=None
    ).select_related("organization")
    return await paginator.paginate(
        queryset, page, scope=f"memberships:{user_id}", to_item=MembershipPublic.model_validate
    )


async def current_organization(*, organization_id: UUID, role: str | None) -> CurrentOrganization:
    """The organization the organization link selected (membership already checked)."""
    organization = await Organization.filter(id=organization_id, deleted_at=None).first()
    if organization is None:
        raise errors.NotFound("No such organization")
    return CurrentOrganization(
        organization=OrganizationPublic.model_validate(organization), role_in_organization=role
    )
