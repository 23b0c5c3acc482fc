"""/api/v1/me: the signed-in user (SPEC §3)."""
