"""Filters of the audit log listings (SPEC §5); entries are app.core.audit.AuditEventPublic."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from pydantic import AwareDatetime, Field, field_validator, model_validator

from app.core.pagination import PageQuery


class AuditEventQuery(PageQuery):
    actor_id: UUID | None = Field(None, description="Only what this user did")
    action: str | None = Field(None, min_length=1, max_length=64, description="e.g. `user.disabled`")
    target_type: str | None = Field(None, min_length=1, max_length=32, description="e.g. `user`")
    target_id: str | None = Field(None, min_length=1, max_length=64)
    since: AwareDatetime | None = Field(None, description="RFC 3339; entries at or after this time")
    until: AwareDatetime | None = Field(None, description="RFC 3339; entries before this time")

    @field_validator("since", "until")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        """As UTC: the compiled query passes a time to SQLite as text, which compares as
        text with the stored UTC times, so another offset would select the wrong rows; and
        a time whose UTC form is outside years 1-9999 is a 400, not a driver's overflow."""
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValueError("out of range once converted to UTC") from None

    @model_validator(mode="after")
    def _target_id_needs_type(self) -> AuditEventQuery:
        # ids are unique only within a type, and (type, id) is what the index serves
        if self.target_id is not None and self.target_type is None:
            raise ValueError("target_id needs target_type")
        return self


class PlatformAuditEventQuery(AuditEventQuery):
    organization_id: UUID | None = Field(None, description="Only this organization's entries")
