"""Coaching sessions as an iCalendar (RFC 5545) document, built with `icalendar`.

One VEVENT per session: UID `<session id>@tandem` (stable across changes, so a calendar
app updates the event rather than adding one), SEQUENCE the session's own counter (it
rises with every change a calendar shows), DTSTART/DTEND in the session's time zone with
a VTIMEZONE for each zone used, STATUS CONFIRMED or CANCELLED (a cancelled session stays,
so the apps remove it from view rather than keep a stale copy). Text values (title,
location) are escaped by the library: a line break in a title cannot start a property.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date

from icalendar import Calendar, Event

from app.coaching.session_display import plain_join_url, zone_of
from models import CoachingSession
from models.coaching import CoachingSessionStatus

PRODUCT_ID = "-//Tandem//Coaching sessions//EN"
UID_DOMAIN = "tandem"
CALENDAR_NAME = "Tandem coaching sessions"


def session_uid(session: CoachingSession) -> str:
    return f"{session.id}@{UID_DOMAIN}"


def _event(session: CoachingSession) -> Event:
    zone = zone_of(session)
    event = Event()
    event.add("uid", session_uid(session))
    event.add("sequence", session.sequence)
    # DTSTAMP: when this information last changed (RFC 5545 §3.8.7.2, for a feed without
    # METHOD), so a feed read twice gives the same bytes for an unchanged session
    event.add("dtstamp", session.updated_at.astimezone(UTC))
    event.add("created", session.created_at.astimezone(UTC))
    event.add("last-modified", session.updated_at.astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("summary", session.title)
    cancelled = session.status == CoachingSessionStatus.CANCELLED
    # in progress, completed and no-show sessions took place (or were meant to) as planned
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    if session.location:
        event.add("location", session.location)
    if session.join_url:
        # in URL only as a plain http(s) address: the library refuses a URI holding a
        # line break, which would otherwise be a 500
        if plain_join_url(session) is not None:
            event.add("url", session.join_url)
        event.add("description", f"Join: {session.join_url}")
        if not session.location:
            event.add("location", session.join_url)
    return event


def session_calendar(sessions: Iterable[CoachingSession], *, first_date: date, last_date: date) -> bytes:
    """The calendar of `sessions`; VTIMEZONE definitions cover first_date to last_date."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", CALENDAR_NAME)
    for session in sessions:
        calendar.add_component(_event(session))
    calendar.add_missing_timezones(first_date=first_date, last_date=last_date)
    return calendar.to_ical()
