"""GET /events query."""

from __future__ import annotations

from pydantic import Field

from app.core.schemas import RequestModel
from app.events.bus import EVENT_ID


class EventsQuery(RequestModel):
    last_event_id: str | None = Field(
        None,
        max_length=40,
        pattern=EVENT_ID.pattern,
        description="For EventSource polyfills that cannot send the `Last-Event-ID` header "
        "(the header wins when both are sent)",
    )
