"""When a coaching session may take place (SPEC §6): its length, how far ahead, the
notice window, and the times of a series' occurrences.

A series keeps the local wall-clock time of its first occurrence in the organizer's zone
across daylight-saving changes: occurrence k starts at the first one's local date and time
plus 7·k days (14·k biweekly), read in that zone, then converted to UTC; each lasts as long
as the first (in elapsed time). A local time that does not exist that day (inside a
spring-forward gap, 02:30 in Paris on the last Sunday of March) is read with `fold=0`,
i.e. with the offset in force before the change, which lands that far after the gap
(03:30); an ambiguous one (fall-back) is its first occurrence, in summer time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from app.core import errors
from app.core.settings import CoachingSettings
from models.coaching import SeriesFrequency

STEP_DAYS = {SeriesFrequency.WEEKLY: 7, SeriesFrequency.BIWEEKLY: 14}


@dataclass(frozen=True, slots=True)
class Slot:
    """One occurrence's time, in UTC."""

    starts_at: datetime
    ends_at: datetime


def occurrences(first: Slot, *, timezone: str, frequency: SeriesFrequency, count: int) -> list[Slot]:
    zone = ZoneInfo(timezone)
    local = first.starts_at.astimezone(zone).replace(tzinfo=None)
    length = first.ends_at - first.starts_at
    step = timedelta(days=STEP_DAYS[frequency])
    slots = []
    for index in range(count):
        starts_at = (local + step * index).replace(tzinfo=zone, fold=0).astimezone(UTC)
        slots.append(Slot(starts_at, starts_at + length))
    return slots


def check_times(settings: CoachingSettings, slots: list[Slot], *, now: datetime) -> None:
    """422 naming the bound a session breaks: its length, a start in the past, or a start
    further ahead than `max_schedule_ahead_days` (a series' last occurrence included)."""
    for slot in slots:
        seconds = (slot.ends_at - slot.starts_at).total_seconds()
        if not settings.min_session_seconds <= seconds <= settings.max_session_seconds:
            raise errors.BusinessRuleViolated(
                f"A session lasts between {_duration(settings.min_session_seconds)} and "
                f"{_duration(settings.max_session_seconds)}"
            )
    if slots[0].starts_at < now:
        raise errors.BusinessRuleViolated("starts_at is in the past")
    horizon = now + timedelta(days=settings.max_schedule_ahead_days)
    if slots[-1].starts_at > horizon:
        raise errors.BusinessRuleViolated(
            f"Sessions are scheduled at most {settings.max_schedule_ahead_days} days ahead"
        )


def inside_notice_window(settings: CoachingSettings, starts_at: datetime, *, now: datetime) -> bool:
    return starts_at - now < timedelta(seconds=settings.notice_window_seconds)


def notice_window_text(settings: CoachingSettings) -> str:
    return _duration(settings.notice_window_seconds)


def _duration(seconds: int) -> str:
    """`24 hours`, `5 minutes`, `90 seconds`: the largest unit that divides it."""
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size and seconds % size == 0 and (unit != "day" or seconds // size > 1):
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"
