"""Live events (SPEC §7): what a change tells the apps that are watching, and who may hear it.

    publish(work, "session.scheduled", organization_id, session_public, audience=...)

A service publishes through its unit of work: the event goes out after the commit, never
after a rollback (app/events/ delivers it: Redis fan-out across API processes, or in this
process for the embedded default). Each stream decides per event, at delivery, whether
its user may see it (`app.core.policy.may_receive` over the event's `Audience`), so an
event carries its content and the facts that decide who may read it, never a list of
who did read it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from app.core.roles import Role
from app.core.unit_of_work import EffectKind, UnitOfWork
from models.coaching import Visibility


@dataclass(frozen=True, slots=True)
class Audience:
    """Who may receive an event, decided at delivery (app.core.policy.may_receive):

    - `user_ids`: these users always (the person a change is about);
    - `visibility` (with `author_id`, `participant_ids`): as app.core.policy.may_read
      decides for coaching content of that visibility;
    - else `min_role`: members at that level or above (None: every member).
    """

    visibility: Visibility | None = None
    author_id: UUID | None = None
    participant_ids: frozenset[UUID] = frozenset()
    min_role: Role | None = None
    user_ids: frozenset[UUID] = frozenset()

    @classmethod
    def coaching(
        cls, visibility: Visibility, *, participant_ids: Collection[UUID], author_id: UUID | None = None
    ) -> Audience:
        return cls(visibility=visibility, author_id=author_id, participant_ids=frozenset(participant_ids))

    @classmethod
    def members(cls, *, min_role: Role | None = None, also: Collection[UUID] = ()) -> Audience:
        return cls(min_role=min_role, user_ids=frozenset(also))

    def to_wire(self) -> dict[str, Any]:
        return {
            "visibility": self.visibility.value if self.visibility is not None else None,
            "author_id": str(self.author_id) if self.author_id else None,
            "participant_ids": sorted(str(user) for user in self.participant_ids),
            "min_role": self.min_role.value if self.min_role is not None else None,
            "user_ids": sorted(str(user) for user in self.user_ids),
        }

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> Audience:
        return cls(
            visibility=Visibility(wire["visibility"]) if wire.get("visibility") else None,
            author_id=UUID(wire["author_id"]) if wire.get("author_id") else None,
            participant_ids=frozenset(UUID(user) for user in wire.get("participant_ids", ())),
            min_role=Role(wire["min_role"]) if wire.get("min_role") else None,
            user_ids=frozenset(UUID(user) for user in wire.get("user_ids", ())),
        )


@dataclass(frozen=True, eq=False, slots=True)
class LiveEvent:
    """One change, as the apps hear it: `type` (`session.scheduled`), the organization it
    happened in, its JSON `data`, and its audience. `id` is given when it is published."""

    type: str
    organization_id: UUID
    data: Mapping[str, Any]
    audience: Audience = field(default_factory=Audience)


# handled by the app's event bus (app/events/bus.py), registered at start-up
LIVE_EVENTS: EffectKind[LiveEvent] = EffectKind("live_events")


def publish(
    work: UnitOfWork,
    event_type: str,
    organization_id: UUID,
    data: BaseModel | Mapping[str, Any],
    *,
    audience: Audience,
) -> None:
    """After `work` commits, tell the organization's streams that may see it."""
    payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else dict(data)
    work.add(LIVE_EVENTS, LiveEvent(event_type, organization_id, payload, audience))
