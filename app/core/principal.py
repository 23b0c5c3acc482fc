"""The signed-in user as the request path sees it: a cached, immutable snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson


@dataclass(frozen=True, slots=True)
class Principal:
    session_id: UUID
    token_hash: str
    user_id: UUID
    global_role: str | None
    current_organization_id: UUID | None
    # epoch seconds
    expires_at: float
    last_seen_at: float
    # the user's public representation (UserPublic JSON), served by GET /me without a query
    user_json: bytes
    # organization id → role, for every active membership in a live organization, so the
    # organization link decides without a query; None when not known (a snapshot cached by
    # an older version, or more memberships than a snapshot holds): the link asks the
    # database. Every change to them refreshes the user's snapshots (REFRESH_USERS).
    memberships: dict[UUID, str] | None = None

    def role_in(self, organization_id: UUID) -> str | None:
        """The role of an active membership there, if the snapshot knows of one."""
        return self.memberships.get(organization_id) if self.memberships is not None else None

    def to_bytes(self) -> bytes:
        return orjson.dumps(
            {
                "session_id": str(self.session_id),
                "token_hash": self.token_hash,
                "user_id": str(self.user_id),
                "global_role": self.global_role,
                "current_organization_id": (
                    str(self.current_organization_id) if self.current_organization_id else None
                ),
                "expires_at": self.expires_at,
                "last_seen_at": self.last_seen_at,
                "user": orjson.Fragment(self.user_json),
                "memberships": (
                    {str(organization): role for organization, role in self.memberships.items()}
                    if self.memberships is not None
                    else None
                ),
            }
        )

    @classmethod
    def from_bytes(cls, raw: bytes) -> Principal:
        data: dict[str, Any] = orjson.loads(raw)
        organization = data["current_organization_id"]
        memberships = data.get("memberships")
        return cls(
            session_id=UUID(data["session_id"]),
            token_hash=data["token_hash"],
            user_id=UUID(data["user_id"]),
            global_role=data["global_role"],
            current_organization_id=UUID(organization) if organization else None,
            expires_at=data["expires_at"],
            last_seen_at=data["last_seen_at"],
            user_json=orjson.dumps(data["user"]),
            memberships=(
                {UUID(organization): role for organization, role in memberships.items()}
                if memberships is not None
                else None
            ),
        )
