"""The coaching part of the hot-path benchmark (issue 12), called by bench/run.py:

- the coach's `GET /api/v1/sessions?limit=50` in programs of 1,000, 10,000 and 100,000
  sessions (bench/sessions.py writes them), to load and to count statements on;
- booking: `connections` clients creating sessions of one coach in overlapping slots
  (bench/booking.py's wrk script), then the overlapping pairs left in the database.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import booking  # bench/booking.py
import seed  # bench/seed.py
import sessions  # bench/sessions.py

PROGRAM_SIZES = (1_000, 10_000, 100_000)
SESSIONS_PAGE = "/api/v1/sessions?limit=50"


def seed_programs(url: str, *, coach_email: str) -> dict[int, str]:
    """One organization per size where `coach_email` coaches that many sessions (their
    times one after another, so the coach's slots never overlap); size → organization id."""
    programs, first_start_hours = {}, 24
    for size in PROGRAM_SIZES:
        programs[size], _ = sessions.coaching_program(
            url,
            coach_email=coach_email,
            sessions=size,
            name=f"Bench sessions {size}",
            first_start_hours=first_start_hours,
        )
        first_start_hours += 2 * size + 24
    return programs


def booking_run(
    *,
    url: str,
    base: str,
    key: dict[str, str],
    workdir: Path,
    sign_up_and_in: Callable[[str], dict[str, str]],
    wrk: Callable[..., dict[str, float]],
    connections: int,
    duration: int,
) -> dict[str, float]:
    """A coach of their own with one coachee books for `duration` seconds; returns
    requests/s (201s and 409s), sessions made and the overlapping pairs left."""
    email = f"booker-{time.time_ns()}@example.com"
    headers = sign_up_and_in(email)
    organization_id, _ = sessions.coaching_program(url, coach_email=email, sessions=0, teachers=1)
    mentorship_id = seed.psql(url, f"SELECT id FROM mentorships WHERE organization_id = '{organization_id}'")
    script = booking.script(workdir, mentorship_id=mentorship_id, base_epoch=int(time.time()) + 86_400)
    result = wrk(
        f"{base}/api/v1/sessions",
        headers={**key, **headers, "X-Organization-Id": organization_id},
        script=script,
        connections=connections,
        duration=duration,
        refusals_expected=True,
    )
    return {
        "rps": result["rps"],
        "p99_ms": result["p99_ms"],
        "created": booking.sessions_created(url, mentorship_id),
        "double_bookings": sessions.overlapping_pairs(url),
    }
