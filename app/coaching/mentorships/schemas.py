"""Request and response shapes of mentorships (SPEC §6)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from app.core.pagination import PageQuery
from app.core.schemas import RequestModel, ResponseModel

MentorshipStatusName = Literal["pending", "active", "paused", "ended"]


class MentorshipCreate(RequestModel):
    coach_id: UUID = Field(description="An active member with the role Coach")
    teacher_id: UUID = Field(description="An active member with the role Teacher")


class MentorshipUpdate(RequestModel):
    """A change of status, along pending → active → paused ⇄ active → ended (and pending →
    ended: declined or withdrawn)."""

    status: MentorshipStatusName
    end_reason: str | None = Field(
        None, min_length=1, max_length=500, description="Required when ending; refused otherwise"
    )


class MentorshipQuery(PageQuery):
    status: MentorshipStatusName | None = Field(None, description="Only mentorships in this status")
    coach_id: UUID | None = Field(None, description="Only this coach's")
    teacher_id: UUID | None = Field(None, description="Only this teacher's")


class MentorshipPublic(ResponseModel):
    id: UUID
    organization_id: UUID
    coach_id: UUID
    teacher_id: UUID
    status: MentorshipStatusName
    proposed_by_id: UUID | None = Field(description="Who created or proposed it")
    accepted_at: datetime | None = Field(description="When it became active the first time")
    ended_at: datetime | None
    end_reason: str | None
    created_at: datetime
    updated_at: datetime
