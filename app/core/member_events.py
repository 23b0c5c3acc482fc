"""The live events of membership changes (SPEC §7), published by every capability that
changes a membership (invites on acceptance, organizations on a role change, a removal,
a departure), so their shape is written once.

`data` is the member as GET /organizations/{id}/members lists it (MemberPublic), without
the email: the event reaches every member, and only Managers see members' emails. The
audience is every member of the organization and the member concerned, who hears of
their own removal (then their stream ends: app.events.stream).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic_core import to_jsonable_python

from app.core.live_events import Audience, publish
from app.core.unit_of_work import UnitOfWork
from models import OrganizationUser, User


def member_data(
    user: User, membership: OrganizationUser, *, joined: datetime | None = None
) -> dict[str, Any]:
    """MemberPublic's fields, email hidden (`joined`: the membership's creation)."""
    return {
        "user_id": str(user.id),
        "name": user.name,
        "nickname": user.nickname,
        "email": None,
        "role_in_organization": membership.role_in_organization,
        "status": membership.status,
        # as pydantic writes a datetime in every response (RFC 3339, UTC "Z")
        "joined": to_jsonable_python(joined or membership.created_at),
    }


def publish_member_event(
    work: UnitOfWork, event_type: str, organization_id: UUID, user_id: UUID, data: dict[str, Any]
) -> None:
    """member.joined, member.updated or member.removed, to every member and the one concerned."""
    publish(work, event_type, organization_id, data, audience=Audience.members(also=(user_id,)))
