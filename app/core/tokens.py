"""Our random tokens (session, refresh, emailed, invites): 32 random bytes, stored only as
their SHA-256. Here, below every capability, so that auth and invites issue them alike."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32
# what a client may send as one of our tokens: token_urlsafe(32) is 43 characters of this
# alphabet; anything else is malformed (400) rather than unknown
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{43}$"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
