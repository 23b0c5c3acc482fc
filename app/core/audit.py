"""Audit entries (SPEC §5): what a unit of work records about the change it makes.

A service names the change; the unit of work writes the rows in the same transaction, so
a change and its record commit or vanish together:

    async with units() as work:
        member.role_in_organization = "Manager"
        await member.save(update_fields=["role_in_organization"])
        work.audit("member.role_changed", target=("user", member.user_id),
                   organization_id=organization_id, changed_fields=["role"])

Who acted, the request id and the client IP come from the request (set by the chain),
unless given: a worker or a sign-in names its actor itself. Changed fields are names,
never values: values are often personal data, and the log outlives erasure.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import Field

from app.core.logging import request_id_var, user_id_var
from app.core.schemas import ResponseModel

client_ip_var: ContextVar[str | None] = ContextVar("client_ip", default=None)
_UNSET: Any = object()


def bind_client_ip(client_ip: str) -> None:
    """The request's client IP, for audit entries made while serving it."""
    client_ip_var.set(client_ip or None)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    action: str
    target_type: str
    target_id: str | None
    organization_id: UUID | None
    actor_id: UUID | None
    request_id: str | None
    client_ip: str | None
    changed_fields: tuple[str, ...] = field(default_factory=tuple)

    def row(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "organization_id": self.organization_id,
            "actor_id": self.actor_id,
            "request_id": self.request_id,
            "client_ip": self.client_ip,
            "changed_fields": list(self.changed_fields),
        }


def entry(
    action: str,
    *,
    target: tuple[str, Any],
    organization_id: UUID | None = None,
    changed_fields: Iterable[str] = (),
    actor_id: UUID | None = _UNSET,
) -> AuditEntry:
    """An entry for `action` on `target` (type, id), by the current request's user unless
    `actor_id` is given (None: the system)."""
    target_type, target_id = target
    if actor_id is _UNSET:
        actor_id = user_id_var.get()
    return AuditEntry(
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        organization_id=organization_id,
        actor_id=actor_id,
        request_id=request_id_var.get(),
        client_ip=client_ip_var.get(),
        changed_fields=tuple(sorted(set(changed_fields))),
    )


class AuditEventPublic(ResponseModel):
    """A recorded entry as readers see it (the audit log listings, and GET /me/export)."""

    id: UUID
    created_at: datetime
    actor_id: UUID | None = Field(description="Who acted; null for the system (a worker, a webhook)")
    organization_id: UUID | None = Field(description="null for events outside any organization")
    action: str = Field(description="`<target type>.<verb>`, e.g. `session.created`")
    target_type: str
    target_id: str | None
    request_id: str | None
    client_ip: str | None
    changed_fields: list[str] = Field(description="Names of the fields the change set, never their values")
