"""Shape of GET /admin/metrics."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class UserCounts(BaseModel):
    active: int = Field(description="Neither disabled nor erased")
    disabled: int = Field(description="Disabled by an administrator (erased accounts not included)")
    erased: int


class OrganizationCounts(BaseModel):
    live: int
    deleted: int = Field(description="Soft-deleted, restorable by a PlatformAdmin")


class OutboxFigures(BaseModel):
    depth: int = Field(description="Background tasks committed but not yet handed to the broker")
    oldest_age_seconds: float = Field(description="How long the oldest has waited; 0 when empty")


class PlatformMetrics(BaseModel):
    generated_at: datetime
    users: UserCounts
    organizations: OrganizationCounts
    memberships: int = Field(description="Active memberships in live organizations")
    pending_invites: int = Field(description="Pending and not yet expired")
    active_mentorships: int = Field(description="Mentorships in status `active`, in live organizations")
    sessions_this_week: int = Field(
        description="Coaching sessions starting this ISO week (from Monday 00:00 UTC), cancelled ones "
        "not counted, in live organizations"
    )
    outbox: OutboxFigures
    failed_jobs: int | None = Field(
        description="Dead-lettered broker messages (retries exhausted), kept for "
        "`broker.dead_letter_ttl_ms`; null when the broker did not answer in time or cannot tell"
    )
    audit_events_today: int = Field(description="Audit entries since 00:00 UTC")
