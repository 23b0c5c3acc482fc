"""/me: the signed-in user (SPEC §3)."""
