"""Reading the audit log (SPEC §5): newest first by (created_at, id), cursor pages.

Each listing is two queries whatever the page: a bounded count (skipped while a long
list's total is cached; the first time, the full count too: app.core.list_totals) and the
page, compiled once per filter combination
(app.core.compiled_query), and every combination starts from an index of models.audit
(organization, actor, target, or time), so a page reached by cursor deep in the log costs
what the first one does. Rows leave shaped as app.core.audit.AuditEventPublic.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from app.audit.schemas import AuditEventQuery, PlatformAuditEventQuery
from app.core.compiled_query import CompiledList, as_datetime, as_uuid
from app.core.pagination import Page, Paginator
from models import AuditEvent

# query filter → the lookup it becomes
FILTERS = {
    "organization_id": "organization_id",
    "actor_id": "actor_id",
    "action": "action",
    "target_type": "target_type",
    "target_id": "target_id",
    "since": "created_at__gte",
    "until": "created_at__lt",
}
COLUMNS = (
    "id",
    "created_at",
    "actor_id",
    "organization_id",
    "action",
    "target_type",
    "target_id",
    "request_id",
    "client_ip",
    "changed_fields",
)
EVENTS = CompiledList(
    lambda slot, shape: AuditEvent.filter(
        **{lookup: getattr(slot, name) for name, lookup in FILTERS.items() if name in shape}
    ),
    columns=COLUMNS,
    aliases={},
    organization_id=UUID,
    actor_id=UUID,
    action=str,
    target_type=str,
    target_id=str,
    since=datetime,
    until=datetime,
)


class AuditLog:
    """Built at start-up (app.capabilities) with the paginator."""

    def __init__(self, *, paginator: Paginator) -> None:
        self.paginator = paginator

    async def organization_events(
        self, organization_id: UUID, query: AuditEventQuery
    ) -> Page[dict[str, Any]]:
        """One organization's entries only (the route has checked the caller may act there)."""
        return await self._events(query, organization_id, scope=f"audit:{organization_id}")

    async def platform_events(self, query: PlatformAuditEventQuery) -> Page[dict[str, Any]]:
        return await self._events(query, query.organization_id, scope="audit:platform")

    async def _events(
        self, query: AuditEventQuery, organization_id: UUID | None, *, scope: str
    ) -> Page[dict[str, Any]]:
        values = {name: getattr(query, name, None) for name in FILTERS if name != "organization_id"}
        values["organization_id"] = organization_id
        return await self.paginator.paginate_compiled(
            EVENTS, query, scope=scope, values=values, to_item=_event
        )


def _event(row: Mapping[str, Any]) -> dict[str, Any]:
    changed = row["changed_fields"]
    return {
        "id": as_uuid(row["id"]),
        "created_at": as_datetime(row["created_at"]),
        "actor_id": _optional_uuid(row["actor_id"]),
        "organization_id": _optional_uuid(row["organization_id"]),
        "action": row["action"],
        "target_type": row["target_type"],
        "target_id": row["target_id"],
        "request_id": row["request_id"],
        "client_ip": row["client_ip"],
        # the column's JSON text as it is (a list of names), or what a driver decoded
        "changed_fields": orjson.Fragment(changed) if isinstance(changed, str | bytes) else changed,
    }


def _optional_uuid(value: Any) -> UUID | None:
    return None if value is None else as_uuid(value)
