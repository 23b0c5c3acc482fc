"""One spelling per email address, for storage, uniqueness, lockout and rate limits.

Addresses are compared case-blind and in Unicode NFC (as email-validator normalises
them), so " Ann@Example.com" and a decomposed "é" name one account everywhere: in
the users table, in the sign-in lockout and in the per-account rate limit.
"""

from __future__ import annotations

import hashlib
import unicodedata


def canonical(address: str) -> str:
    return unicodedata.normalize("NFC", address.strip().lower())


def digest(address: str) -> str:
    """SHA-256 of the canonical address: a key that does not store the address itself."""
    return hashlib.sha256(canonical(address).encode()).hexdigest()
