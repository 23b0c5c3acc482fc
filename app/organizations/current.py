"""Users whose organizations change under them: the current one goes away, or one they belong to is deleted or restored."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from app.core.session_effects import refresh_user
from app.core.unit_of_work import UnitOfWork
from models import OrganizationUser, User
from models.organizations import MembershipStatus


async def clear_current_organization(
    work: UnitOfWork, organization_id: UUID, *, user_id: UUID | None = None
) -> None:
    """Whoever acted in `organization_id` by default (only `user_id`, if given) acts in
    none until they choose another; their cached sessions learn it once `work` commits."""
    users = User.filter(current_organization_id=organization_id)
    if user_id is not None:
        users = users.filter(id=user_id)
    user_ids = await users.values_list("id", flat=True)
    if user_ids:
        await users.update(current_organization_id=None, updated_at=datetime.now(UTC))
        refresh_user(work, *user_ids)  # type: ignore[arg-type]


async def refresh_members(work: UnitOfWork, organization_id: UUID) -> None:
    """The organization went or came back: its members' session snapshots (which list the
    organizations they may act in) are dropped once `work` commits."""
    member_ids = await OrganizationUser.filter(
        organization_id=organization_id, status=MembershipStatus.ACTIVE
    ).values_list("user_id", flat=True)
    refresh_user(work, *member_ids)  # type: ignore[arg-type]
