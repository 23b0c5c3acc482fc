"""Shapes of the calendar feed's management routes (SPEC §6). The feed's URL, which holds
its token, is in one answer only: the one that creates it."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from app.core.schemas import RequestModel, ResponseModel
from app.core.tokens import TOKEN_PATTERN


class CalendarFeedCreated(ResponseModel):
    url: str = Field(description="The feed's address, with its token: shown this once, never again")
    created_at: datetime


class CalendarFeedStatus(ResponseModel):
    active: bool = Field(description="Whether a feed URL works now (the URL itself is never shown again)")
    created_at: datetime | None
    last_used_at: datetime | None = Field(description="When a calendar app last read the feed")


class CalendarFeedQuery(RequestModel):
    token: str = Field(pattern=TOKEN_PATTERN, description="The token in the feed's URL")
