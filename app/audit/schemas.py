"""Filters of the audit log listings (SPEC §5); entries are app.core.audit.AuditEventPublic."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field, model_validator

from app.core.pagination import PageQuery
from app.core.schemas import UtcTime


class AuditEventQuery(PageQuery):
    actor_id: UUID | None = Field(None, description="Only what this user did")
    action: str | None = Field(None, min_length=1, max_length=64, description="e.g. `user.disabled`")
    target_type: str | None = Field(None, min_length=1, max_length=32, description="e.g. `user`")
    target_id: str | None = Field(None, min_length=1, max_length=64)
    # in UTC (UtcTime): the compiled query hands SQLite a time as text, compared as text
    since: UtcTime | None = Field(None, description="RFC 3339; entries at or after this time")
    until: UtcTime | None = Field(None, description="RFC 3339; entries before this time")

    @model_validator(mode="after")
    def _target_id_needs_type(self) -> AuditEventQuery:
        # ids are unique only within a type, and (type, id) is what the index serves
        if self.target_id is not None and self.target_type is None:
            raise ValueError("target_id needs target_type")
        return self


class PlatformAuditEventQuery(AuditEventQuery):
    organization_id: UUID | None = Field(None, description="Only this organization's entries")
