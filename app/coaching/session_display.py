"""How a coaching session is shown outside the API, in emails and calendar feeds."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from models import CoachingSession

# a plain http(s) address: a link we may put in a calendar's URL or an email's href (the
# API takes https links only; this also guards rows written before, or by hand)
_PLAIN_URL = re.compile(r"^https?://[^\s\x00-\x1f\x7f]+$")


def zone_of(session: CoachingSession) -> ZoneInfo:
    """The session's time zone; UTC for one the tz database no longer knows (the moment
    shown is still right)."""
    try:
        return ZoneInfo(session.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def plain_join_url(session: CoachingSession) -> str | None:
    """The join link when it is a plain web address, else None."""
    url = session.join_url or ""
    return url if _PLAIN_URL.match(url) else None
