"""Unversioned system routes: the API index and health (SPEC §4)."""
