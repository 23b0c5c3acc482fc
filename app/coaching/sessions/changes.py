"""The rules of a change to a scheduled session: what a PATCH moves, what it sets, and
the notice window (SPEC §6: a teacher cannot cancel or reschedule inside it; a coach or a
Manager may, with a reason)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.coaching.sessions import scheduling
from app.coaching.sessions.scheduling import Slot
from app.core import errors, policy
from app.core.policy import Actor
from app.core.settings import CoachingSettings
from models import CoachingSession

PLACE_FIELDS = ("location", "video_provider", "video_meeting_id", "join_url")


def check_notice(
    settings: CoachingSettings,
    actor: Actor,
    session: CoachingSession,
    reason: str | None,
    *,
    now: datetime,
    also: datetime | None = None,
) -> None:
    """Inside the notice window (the current start, or the new one when moving), a
    teacher is refused; a coach or a Manager must say why."""
    starts = [session.starts_at] + ([also] if also is not None else [])
    if not any(scheduling.inside_notice_window(settings, start, now=now) for start in starts):
        return
    window = scheduling.notice_window_text(settings)
    if policy.bound_by_notice_window(actor, coach_id=session.coach_id):
        raise errors.BusinessRuleViolated(
            f"A teacher cannot cancel or reschedule a session within {window} of its start; ask the coach"
        )
    if reason is None:
        raise errors.BusinessRuleViolated(
            f"Within {window} of the start, a reason is required to cancel or reschedule"
        )


def moved(session: CoachingSession, changes: dict[str, Any]) -> Slot | None:
    """The new time, if the change moves the session. Moving only the start keeps the
    length; moving only the end changes it."""
    if "starts_at" not in changes and "ends_at" not in changes:
        return None
    starts_at = changes.get("starts_at", session.starts_at)
    if "ends_at" in changes:
        ends_at = changes["ends_at"]
    else:
        try:
            ends_at = starts_at + (session.ends_at - session.starts_at)
        except OverflowError:  # a start at the end of the calendar (year 9999)
            raise errors.ValidationFailed.of_field("starts_at", "out of range") from None
    if ends_at <= starts_at:
        raise errors.ValidationFailed.of_field("ends_at", "must be after starts_at")
    if (starts_at, ends_at) == (session.starts_at, session.ends_at):
        return None
    return Slot(starts_at, ends_at)


def apply(session: CoachingSession, changes: dict[str, Any], moved: Slot | None) -> list[str]:
    """Set what changes on the row; the names of the columns that did."""
    wanted = {name: value for name, value in changes.items() if name not in ("starts_at", "ends_at")}
    if moved is not None:
        wanted |= {"starts_at": moved.starts_at, "ends_at": moved.ends_at}
    place = {name: wanted.get(name, getattr(session, name)) for name in PLACE_FIELDS}
    if place["location"] is not None and place["video_provider"] is not None:
        raise errors.ValidationFailed.of_field("location", "give location or video_provider, not both")
    if place["video_provider"] is None and (place["video_meeting_id"] or place["join_url"]):
        raise errors.ValidationFailed.of_field("video_provider", "video_meeting_id and join_url need one")
    changed = []
    for name, value in wanted.items():
        if getattr(session, name) != value:
            setattr(session, name, value)
            changed.append(name)
    return changed
