"""Request and response shapes of action items (SPEC §6)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from app.coaching.content_fields import Title
from app.core.pagination import PageQuery
from app.core.schemas import RequestModel, ResponseModel, UtcTime, omit_default, refuse_null

ActionItemStatusName = Literal["open", "done", "cancelled"]


class ActionItemCreate(RequestModel):
    mentorship_id: UUID = Field(description="An active or paused mentorship")
    title: Title
    assignee_id: UUID = Field(description="The mentorship's coach or teacher")
    due_at: UtcTime | None = Field(None, description="RFC 3339 with an offset; stored in UTC")
    session_id: UUID | None = Field(None, description="A coaching session of the same mentorship")
    goal_id: UUID | None = Field(None, description="A goal of the same mentorship")


class ActionItemUpdate(RequestModel):
    """Fields left out keep their value; `due_at` may be null (cleared). `cancelled` is the
    archive: action items are never deleted."""

    title: Title | SkipJsonSchema[None] = Field(None, json_schema_extra=omit_default)
    due_at: UtcTime | None = Field(None, json_schema_extra=omit_default)
    status: ActionItemStatusName | SkipJsonSchema[None] = Field(None, json_schema_extra=omit_default)
    assignee_id: UUID | SkipJsonSchema[None] = Field(
        None, description="The mentorship's coach or teacher", json_schema_extra=omit_default
    )

    @field_validator("title", "status", "assignee_id", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return refuse_null(value)


class ActionItemQuery(PageQuery):
    mentorship_id: UUID | None = Field(None, description="Only this mentorship's")
    session_id: UUID | None = Field(None, description="Only those of this coaching session")
    goal_id: UUID | None = Field(None, description="Only those of this goal")
    status: ActionItemStatusName | None = Field(None, description="Only those in this status")
    assignee_id: UUID | None = Field(None, description="Only those assigned to this person")


class ActionItemPublic(ResponseModel):
    id: UUID
    organization_id: UUID
    mentorship_id: UUID
    title: str
    assignee_id: UUID
    created_by_id: UUID | None
    due_at: datetime | None
    status: ActionItemStatusName
    session_id: UUID | None
    goal_id: UUID | None
    completed_at: datetime | None = Field(description="When it was marked done")
    created_at: datetime
    updated_at: datetime
