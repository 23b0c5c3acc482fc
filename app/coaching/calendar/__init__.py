"""A per-user iCalendar feed of one's coaching sessions (SPEC §6); docs/coaching.md."""
