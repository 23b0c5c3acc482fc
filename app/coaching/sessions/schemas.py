"""Request and response shapes of coaching sessions (SPEC §6).

`CoachingSessionPublic` is what the API returns, what the live events carry and what the
calendar feed and reminders read (`session_public(session)`): one shape everywhere.
Times are accepted with any offset and returned in UTC (`Z`).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from uuid import UUID
from zoneinfo import available_timezones

from pydantic import AfterValidator, Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from app.coaching.content_fields import Title, one_line
from app.core.pagination import PageQuery
from app.core.schemas import RequestModel, ResponseModel, UtcTime, omit_default, refuse_null
from models import CoachingSession

SessionStatusName = Literal["scheduled", "in_progress", "completed", "cancelled", "no_show"]
VideoProviderName = Literal["zoom", "google_meet", "microsoft_teams", "webex", "other"]
# SPEC §6: a series holds at most 52 occurrences (settings.coaching may lower it: 422)
MAX_OCCURRENCES = 52


# the zone directory's `localtime` is a link to the server's own zone, not an IANA name
NOT_ZONES = frozenset({"localtime"})


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones()) - NOT_ZONES


def _known_zone(value: str) -> str:
    # membership in the tz database's list, never ZoneInfo(value) on a client's string:
    # that would read any file path it names
    if value not in _zones():
        raise ValueError("not an IANA time zone (e.g. Europe/Paris)")
    return value


def _https_link(value: str) -> str:
    """A link another person will open: https only (no javascript:, data:, http:), with a
    host, no credentials in it, and no characters that could break out of where it is shown."""
    if any(char.isspace() or ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        raise ValueError("must not contain spaces or control characters")
    parts = urlsplit(value)
    if parts.scheme.lower() != "https":
        raise ValueError("must be an https:// link")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise ValueError("must name a host, without user information")
    parts.port  # noqa: B018 - raises ValueError for a port out of 0..65535 (the link would not open)
    return value


TimeZoneName = Annotated[
    str, Field(min_length=1, max_length=64, examples=["Europe/Paris"]), AfterValidator(_known_zone)
]
Location = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(one_line)]
MeetingId = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(one_line)]
JoinUrl = Annotated[str, Field(min_length=9, max_length=2000), AfterValidator(_https_link)]
Reason = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(one_line)]


class Recurrence(RequestModel):
    frequency: Literal["weekly", "biweekly"]
    count: int = Field(ge=2, le=MAX_OCCURRENCES, description="Occurrences, this one included")


def _one_place(body: Any) -> None:
    if body.location is not None and body.video_provider is not None:
        raise ValueError("give location or video_provider, not both")
    if body.video_provider is None and (body.video_meeting_id is not None or body.join_url is not None):
        raise ValueError("video_meeting_id and join_url need a video_provider")


class SessionCreate(RequestModel):
    mentorship_id: UUID
    title: Title
    starts_at: UtcTime = Field(description="RFC 3339 with an offset; stored in UTC")
    ends_at: UtcTime
    timezone: TimeZoneName = Field(description="The organizer's IANA zone; a series keeps its local time")
    location: Location | None = None
    video_provider: VideoProviderName | None = None
    video_meeting_id: MeetingId | None = None
    join_url: JoinUrl | None = Field(None, description="https only")
    recurrence: Recurrence | None = Field(None, description="Schedule a weekly or biweekly series")

    @model_validator(mode="after")
    def _consistent(self) -> SessionCreate:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        _one_place(self)
        return self


class SessionUpdate(RequestModel):
    """Reschedule (either time, or both), or change the title or the place. A field left
    out keeps its value; `location` and the video fields may be null to clear them, the
    others may not (400)."""

    # documented without null (and without a null default): null is refused, see below
    title: Title | SkipJsonSchema[None] = Field(None, json_schema_extra=omit_default)
    starts_at: UtcTime | SkipJsonSchema[None] = Field(None, json_schema_extra=omit_default)
    ends_at: UtcTime | SkipJsonSchema[None] = Field(None, json_schema_extra=omit_default)
    timezone: TimeZoneName | SkipJsonSchema[None] = Field(None, json_schema_extra=omit_default)
    location: Location | None = Field(None, json_schema_extra=omit_default)
    video_provider: VideoProviderName | None = Field(None, json_schema_extra=omit_default)
    video_meeting_id: MeetingId | None = Field(None, json_schema_extra=omit_default)
    join_url: JoinUrl | None = Field(None, description="https only", json_schema_extra=omit_default)
    reason: Reason | SkipJsonSchema[None] = Field(
        None,
        description="Why; required of a coach or Manager inside the notice window",
        json_schema_extra=omit_default,
    )

    @field_validator("title", "starts_at", "ends_at", "timezone", "reason", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return refuse_null(value)

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, `reason` aside."""
        return {name: getattr(self, name) for name in self.model_fields_set if name != "reason"}


class SessionCancel(RequestModel):
    reason: Reason | None = Field(None, description="Required of a coach or Manager inside the notice window")
    scope: Literal["this", "this_and_following"] = Field(
        "this", description="`this_and_following`: this occurrence and the later ones of its series"
    )


class SessionQuery(PageQuery):
    starts_from: UtcTime | None = Field(
        None, alias="from", description="Sessions still running at or after this time"
    )
    to: UtcTime | None = Field(None, description="Sessions starting before this time")
    status: SessionStatusName | None = None
    mentorship_id: UUID | None = None
    participant_id: UUID | None = Field(None, description="Sessions this user takes part in")
    series_id: UUID | None = None
    sort: Literal["-created_at", "starts_at", "-starts_at"] = Field(
        "-created_at", description="Newest first by default"
    )


class CoachingSessionPublic(ResponseModel):
    id: UUID
    organization_id: UUID
    mentorship_id: UUID
    series_id: UUID | None
    series_index: int | None = Field(description="0 for a series' first occurrence")
    coach_id: UUID
    teacher_id: UUID
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    status: SessionStatusName
    location: str | None
    video_provider: str | None
    video_meeting_id: str | None
    join_url: str | None
    reason: str | None = Field(description="Given with the latest cancellation or late change")
    sequence: int = Field(description="Rises with every change a calendar shows (iCalendar SEQUENCE)")
    cancelled_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime


PUBLIC_FIELDS = tuple(CoachingSessionPublic.model_fields)


def session_public(session: CoachingSession) -> CoachingSessionPublic:
    return CoachingSessionPublic.model_validate(session)


class NoFields(RequestModel):
    """No fields: an empty object, or no body at all."""
