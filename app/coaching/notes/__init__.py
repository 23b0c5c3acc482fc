"""Notes on a coaching session, each with its visibility (SPEC §6); docs/coaching.md."""
