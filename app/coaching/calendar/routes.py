"""The calendar feed, under a mount (app.core.mount), SPEC §6: my feed's management under
/me/calendar-feed, and the feed itself, read by calendar apps with the token in its URL."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.coaching.calendar.schemas import CalendarFeedCreated, CalendarFeedQuery, CalendarFeedStatus
from app.coaching.calendar.service import CalendarFeeds
from app.core import responses
from app.core.access import AUTHENTICATED, BY_FEED_TOKEN
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.request import TandemRequest

MY_FEED = "/me/calendar-feed"
FEED = "/sessions/calendar.ics"
CALENDAR_TYPE = "text/calendar; charset=utf-8"


def blueprint(mount: Mount, *, feeds: CalendarFeeds, base_url: str) -> Blueprint:
    """`base_url`: how clients reach the API (server.public_url), for the feed's address."""
    bp = mount.blueprint("calendar")

    @bp.post(MY_FEED)
    @endpoint(
        AUTHENTICATED,
        response=CalendarFeedCreated,
        status=201,
        summary="Create my calendar feed, or replace it (the previous URL stops working)",
        tag="calendar",
        operation_id="calendar_feed_create",
        description="The answer holds the feed's URL, with its token, this once: it is stored "
        "only as a hash. Subscribe to it in a calendar app; it lists the coaching sessions I take "
        "part in, in the organizations I am an active member of.",
    )
    async def create_feed(request: TandemRequest) -> HTTPResponse:
        issued = await feeds.issue(request.principal.user_id)
        url = f"{base_url}{mount.path(FEED)}?token={issued.token}"
        created = CalendarFeedCreated(url=url, created_at=issued.created_at)
        return responses.created(created, location=mount.path(MY_FEED))

    @bp.get(MY_FEED)
    @endpoint(
        AUTHENTICATED,
        response=CalendarFeedStatus,
        summary="Whether I have a working calendar feed (never its URL)",
        tag="calendar",
        operation_id="calendar_feed_get",
    )
    async def get_feed(request: TandemRequest) -> HTTPResponse:
        return responses.ok(await feeds.status(request.principal.user_id))

    @bp.delete(MY_FEED)
    @endpoint(
        AUTHENTICATED,
        problems={404: "I have no working calendar feed"},
        summary="Revoke my calendar feed: its URL stops working",
        tag="calendar",
        operation_id="calendar_feed_revoke",
    )
    async def revoke_feed(request: TandemRequest) -> HTTPResponse:
        await feeds.revoke(request.principal.user_id)
        return responses.success()

    @bp.get(FEED)
    @endpoint(
        BY_FEED_TOKEN,
        query=CalendarFeedQuery,
        envelope=False,
        content_type="text/calendar",
        problems={404: "No such feed: the token is unknown or revoked"},
        summary="My coaching sessions as an iCalendar feed (RFC 5545)",
        tag="calendar",
        operation_id="calendar_feed_read",
        description="For calendar apps, which send neither X-Client-Key nor a session: the token "
        "in the URL is the credential. Sessions from 90 days ago on; cancelled ones stay, with "
        "`STATUS:CANCELLED`; `SEQUENCE` rises with every change.",
    )
    async def read_feed(request: TandemRequest, query: CalendarFeedQuery) -> HTTPResponse:
        body = await feeds.render(query.token)
        headers = {
            # the URL is a credential and the content is personal: kept by no cache
            "Cache-Control": "private, no-store",
            "Content-Disposition": 'inline; filename="tandem.ics"',
        }
        return HTTPResponse(body, headers=headers, content_type=CALENDAR_TYPE)

    return bp
