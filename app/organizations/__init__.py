"""Organizations and memberships."""
