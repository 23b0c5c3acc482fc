"""Reading the audit log (SPEC §5); entries are written by units of work (app.core.audit)."""
