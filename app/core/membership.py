"""Who may act in which organization. The one place membership is decided."""

from __future__ import annotations

from uuid import UUID

from app.core.roles import Role
from models import Organization, OrganizationUser
from models.organizations import MembershipStatus

# one body for an organization that does not exist and one the caller may not see: the
# same 404 either way (SPEC §1: never leak that an organization exists)
NO_SUCH_ORGANIZATION = "No such organization"


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
    if global_role and await live_organization(organization_id) is not None:
        return organization_id, None
    return None


async def live_organization(organization_id: UUID, *, for_update: bool = False) -> Organization | None:
    """The organization unless it is deleted (`for_update`: locked until the transaction
    ends, so that changes to one organization's members run one at a time; SQLite
    serializes write transactions anyway)."""
    query = Organization.filter(id=organization_id, deleted_at=None)
    if for_update:
        query = query.select_for_update()
    return await query.first()


async def active_admin_count(organization_id: UUID) -> int:
    """Active OrganizationAdmins of the organization (lock it first for a count that cannot
    go stale before the change it guards)."""
    return await OrganizationUser.filter(
        organization_id=organization_id,
        role_in_organization=Role.ORGANIZATION_ADMIN,
        status=MembershipStatus.ACTIVE,
    ).count()


async def active_organization_ids(user_id: UUID) -> list[UUID]:
    """The live organizations the user is an active member of (not those reached through
    a global role: a calendar feed or a reminder shows what one takes part in)."""
    return await OrganizationUser.filter(
        user_id=user_id, status=MembershipStatus.ACTIVE, organization__deleted_at=None
    ).values_list("organization_id", flat=True)


async def active_member_ids(organization_id: UUID, user_ids: list[UUID]) -> set[UUID]:
    """Which of `user_ids` are active members of the (live) organization."""
    found = await OrganizationUser.filter(
        organization_id=organization_id,
        user_id__in=user_ids,
        status=MembershipStatus.ACTIVE,
        organization__deleted_at=None,
    ).values_list("user_id", flat=True)
    return {UUID(str(user_id)) for user_id in found}
