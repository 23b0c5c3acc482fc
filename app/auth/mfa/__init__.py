"""TOTP second factor (SPEC §2): the service, its routes under /auth/mfa, their shapes."""
