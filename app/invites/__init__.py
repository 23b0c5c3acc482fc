"""Invitations to join an organization (SPEC §5)."""
