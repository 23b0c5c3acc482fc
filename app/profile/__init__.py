"""Profile changes confirmed by email (SPEC §3)."""
