"""Emailed account flows (SPEC §2): verification and password reset, their routes, their shapes."""
