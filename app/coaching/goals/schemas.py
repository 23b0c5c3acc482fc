"""Request and response shapes of goals (SPEC §6)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from app.coaching.content_fields import Description, Title, VisibilityName
from app.core.pagination import PageQuery
from app.core.schemas import RequestModel, ResponseModel, omit_default, refuse_null

GoalStatusName = Literal["active", "achieved", "archived"]


class GoalCreate(RequestModel):
    mentorship_id: UUID = Field(description="An active or paused mentorship; the goal is its teacher's")
    title: Title
    description: Description | None = None
    target_date: date | None = None
    progress: int = Field(0, ge=0, le=100, description="Percent done, 0–100")
    visibility: VisibilityName = Field(
        "participants",
        description="private: the owner only; participants: the coach and the teacher; "
        "organization: Managers and above too",
    )


class GoalUpdate(RequestModel):
    """Fields left out keep their value; `description` and `target_date` may be null (cleared)."""

    title: Title | SkipJsonSchema[None] = Field(None, json_schema_extra=omit_default)
    description: Description | None = Field(None, json_schema_extra=omit_default)
    status: GoalStatusName | SkipJsonSchema[None] = Field(None, json_schema_extra=omit_default)
    target_date: date | None = Field(None, json_schema_extra=omit_default)
    progress: int | SkipJsonSchema[None] = Field(
        None, ge=0, le=100, description="Percent done, 0–100", json_schema_extra=omit_default
    )
    visibility: VisibilityName | SkipJsonSchema[None] = Field(
        None, description="Only the goal's owner may change it", json_schema_extra=omit_default
    )

    @field_validator("title", "status", "progress", "visibility", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return refuse_null(value)


class GoalQuery(PageQuery):
    mentorship_id: UUID | None = Field(None, description="Only this mentorship's goals")
    status: GoalStatusName | None = Field(None, description="Only goals in this status")
    owner_id: UUID | None = Field(None, description="Only this teacher's goals")


class GoalPublic(ResponseModel):
    id: UUID
    organization_id: UUID
    mentorship_id: UUID
    owner_id: UUID = Field(description="The mentorship's teacher")
    created_by_id: UUID | None
    title: str
    description: str | None
    status: GoalStatusName
    target_date: date | None
    progress: int
    visibility: VisibilityName
    achieved_at: datetime | None
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime
