"""GET /events under a mount (app.core.mount): the live events of SPEC §7 as Server-Sent
Events. Wire format, audiences, replay and limits: docs/events.md."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.core.access import ORG_MEMBER
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.request import TandemRequest
from app.events.bus import valid_event_id
from app.events.connection import ChunkedConnection
from app.events.schemas import EventsQuery
from app.events.service import EventStreams

CONTENT_TYPE = "text/event-stream; charset=utf-8"
# proxies must neither cache nor buffer a stream (X-Accel-Buffering: nginx)
STREAM_HEADERS = {"Cache-Control": "no-cache, no-store", "X-Accel-Buffering": "no"}


def blueprint(mount: Mount, *, streams: EventStreams) -> Blueprint:
    """Handlers use the streams given here, built once per app (app.state)."""
    bp = mount.blueprint("events")

    @bp.get("/events")
    @endpoint(
        ORG_MEMBER,
        query=EventsQuery,
        envelope=False,
        content_type="text/event-stream",
        problems={429: "Too many event streams open for this user", 503: "The server is stopping"},
        tag="events",
        operation_id="events_stream",
        summary="Live events of the organization (Server-Sent Events)",
        description="Each event: `id`, `event` (its type, e.g. `invite.created`) and `data` (one "
        "line of JSON: the resource as the API returns it). Only what you may see when it is "
        "delivered. `Last-Event-ID` replays what you missed within the replay window; a "
        "`: heartbeat` comment keeps the stream open; it ends when your session or your "
        "membership does.",
    )
    async def events(request: TandemRequest, query: EventsQuery) -> HTTPResponse | None:
        if request.method == "HEAD":  # the automatic HEAD route: the headers, no stream
            return HTTPResponse(status=200, headers=STREAM_HEADERS, content_type=CONTENT_TYPE)
        last_event_id = valid_event_id(request.headers.get("last-event-id") or query.last_event_id)
        async with streams.open(
            request.principal,
            organization_id=request.ctx.organization_id,  # type: ignore[arg-type]
            role=request.ctx.organization_role,
            last_event_id=last_event_id,
        ) as stream:
            # the connection closes with the stream: a server stopping waits for none
            request.stream.keep_alive = False  # type: ignore[union-attr]
            response = await request.respond(headers=STREAM_HEADERS, content_type=CONTENT_TYPE)
            # while the stream waits, its events are written straight to the connection
            async for chunk in stream.frames(connect=lambda: ChunkedConnection.of(request)):
                await response.send(chunk)
            await response.eof()
        return None

    return bp
