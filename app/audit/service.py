"""Reading the audit log (SPEC §5): newest first by (created_at, id), cursor pages.

Each listing is two queries whatever the page (the count and the page), and every filter
combination starts from an index of models.audit (organization, actor, target, or time),
so a page reached by cursor deep in the log costs what the first one does.
"""

from __future__ import annotations

from uuid import UUID

from tortoise.queryset import QuerySet

from app.audit.schemas import AuditEventQuery, PlatformAuditEventQuery
from app.core.audit import AuditEventPublic
from app.core.pagination import Page, Paginator
from models import AuditEvent


class AuditLog:
    """Built at start-up (app.capabilities) with the paginator."""

    def __init__(self, *, paginator: Paginator) -> None:
        self.paginator = paginator

    async def organization_events(
        self, organization_id: UUID, query: AuditEventQuery
    ) -> Page[AuditEventPublic]:
        """One organization's entries only (the route has checked the caller may act there)."""
        events = _filtered(AuditEvent.filter(organization_id=organization_id), query)
        return await self.paginator.paginate(
            events, query, scope=f"audit:{organization_id}", to_item=AuditEventPublic.model_validate
        )

    async def platform_events(self, query: PlatformAuditEventQuery) -> Page[AuditEventPublic]:
        events = AuditEvent.all()
        if query.organization_id is not None:
            events = events.filter(organization_id=query.organization_id)
        return await self.paginator.paginate(
            _filtered(events, query), query, scope="audit:platform", to_item=AuditEventPublic.model_validate
        )


def _filtered(events: QuerySet[AuditEvent], query: AuditEventQuery) -> QuerySet[AuditEvent]:
    if query.actor_id is not None:
        events = events.filter(actor_id=query.actor_id)
    if query.action is not None:
        events = events.filter(action=query.action)
    if query.target_type is not None:
        events = events.filter(target_type=query.target_type)
    if query.target_id is not None:
        events = events.filter(target_id=query.target_id)
    if query.since is not None:
        events = events.filter(created_at__gte=query.since)
    if query.until is not None:
        events = events.filter(created_at__lt=query.until)
    return events
