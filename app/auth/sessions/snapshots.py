"""The session snapshot (app.core.principal.Principal): what the request path knows about
a signed-in user without a query, built from the session's and the user's rows.

Every change to what a snapshot holds (the user's profile, roles, current organization,
memberships) refreshes the user's snapshots everywhere (REFRESH_USERS) once it commits.
"""

from __future__ import annotations

import math
from dataclasses import replace
from uuid import UUID

from app.core.compiled_query import as_uuid
from app.core.principal import Principal
from app.users.schemas import UserPublic
from models import AuthSession, OrganizationUser
from models.organizations import MembershipStatus

# memberships a snapshot holds; a user in more organizations is checked per request
MEMBERSHIPS_IN_SNAPSHOT = 200


async def snapshot_of(session: AuthSession) -> Principal:
    """The snapshot of a live session (its `user` fetched with it)."""
    user = session.user
    return Principal(
        session_id=session.id,
        token_hash=session.token_hash,
        user_id=user.id,
        global_role=user.global_role,
        current_organization_id=user.current_organization_id,
        # a bearer token ends with its access lifetime, at the latest with the session
        expires_at=min(
            session.expires_at.timestamp(),
            session.access_expires_at.timestamp() if session.access_expires_at else math.inf,
        ),
        last_seen_at=session.last_seen_at.timestamp(),
        user_json=UserPublic.of(user).model_dump_json().encode(),
        memberships=await _memberships_of(user.id),
    )


def seen_at(principal: Principal, now: float) -> Principal:
    """The same snapshot, touched at `now` (epoch seconds)."""
    return replace(principal, last_seen_at=now)


async def _memberships_of(user_id: UUID) -> dict[UUID, str] | None:
    """Active memberships in live organizations; None (the organization link asks the
    database per request) past MEMBERSHIPS_IN_SNAPSHOT."""
    rows = (
        await OrganizationUser.filter(
            user_id=user_id, status=MembershipStatus.ACTIVE, organization__deleted_at=None
        )
        .limit(MEMBERSHIPS_IN_SNAPSHOT + 1)
        .values_list("organization_id", "role_in_organization")
    )
    if len(rows) > MEMBERSHIPS_IN_SNAPSHOT:
        return None
    return {as_uuid(organization): str(role) for organization, role in rows}
