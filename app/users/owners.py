"""The installation keeps an Owner: the last one can neither erase their account nor lose
the role (app.me.service, app.admin.users.service)."""

from __future__ import annotations

from uuid import UUID

from app.core import policy
from app.core.roles import Role
from models import User


async def is_last_owner(user_id: UUID, global_role: str | None) -> bool:
    """Whether this user is the only live Owner. Locks the live Owners' rows in id order
    (PostgreSQL; SQLite serializes write transactions), so two Owners erasing themselves or
    withdrawing each other's role at once cannot each count the other and leave none."""
    if not policy.is_owner(global_role):
        return False
    owners = await User.filter(global_role=Role.OWNER, deleted_at=None).order_by("id").select_for_update()
    return [owner.id for owner in owners] == [user_id]
