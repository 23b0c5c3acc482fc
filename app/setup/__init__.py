"""First-run set-up (SPEC §4)."""
