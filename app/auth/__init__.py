"""Identity: accounts, passwords, sessions (SPEC §2)."""
