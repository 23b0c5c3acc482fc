"""Who may act in which organization. The one place membership is decided."""

from __future__ import annotations

from uuid import UUID

from models import Organization, OrganizationUser
from models.organizations import MembershipStatus


async def resolve_membership(
    *, organization_id: UUID, user_id: UUID, global_role: str | None
) -> tuple[UUID, str | None] | None:
    """(organization id, role in it) when the user may act there, else None.

    A global role (Owner, PlatformAdmin) may act in any live organization without
    a membership; its organization role is then None.
    """
    membership = (
        await OrganizationUser.filter(
            organization_id=organization_id,
            user_id=user_id,
            status=MembershipStatus.ACTIVE,
            organization__deleted_at=None,
        )
        .only("role_in_organization")
        .first()
    )
    if membership is not None:
        return organization_id, membership.role_in_organization
    if global_role and await Organization.filter(id=organization_id, deleted_at=None).exists():
        return organization_id, None
    return None
