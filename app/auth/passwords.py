"""Password hashing with argon2id (argon2-cffi), off the event loop.

argon2-cffi's defaults are RFC 9106's low-memory profile (t=3, m=64 MiB, p=4),
above OWASP's minimum (m=19 MiB, t=2, p=1). Hashing takes tens of milliseconds of
CPU, so it runs in a thread to keep the event loop serving other requests.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Compared against when the account does not exist, so that sign-in takes the
# same time either way (no account enumeration by timing).
_DUMMY_HASH = _hasher.hash("tandem-dummy-password-for-timing")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; with no hash, spends the same time and says False."""
    target = password_hash or _DUMMY_HASH
    try:
        matched = await asyncio.to_thread(_hasher.verify, target, password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(matched) and password_hash is not None
