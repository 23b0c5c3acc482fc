"""Passwords: the policy (SPEC §2) and argon2id hashing (argon2-cffi), off the event loop.

The cost comes from settings.passwords (default: argon2-cffi's RFC 9106 low-memory
profile, t=3, m=64 MiB, p=4, above OWASP's minimum of m=19 MiB, t=2, p=1). A hash made
with lower parameters is replaced at the next successful sign-in (`needs_rehash`).
Hashing takes tens of milliseconds of CPU, so it runs in a thread. Each app builds its
own `PasswordHashing` with its configured cost (app.state) and hands it to the services
that hash or check passwords.
"""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import AfterValidator, Field
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.core.settings import PasswordSettings

MIN_LENGTH = 8
MAX_LENGTH = 128  # longer is refused (400) before any hashing, never truncated


@cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn's list of the 30,000 most common passwords (from leaked sets); only those
    # long enough to pass the length rule matter
    return frozenset(p for p in FREQUENCY_LISTS["passwords"] if len(p) >= MIN_LENGTH)


def _not_common(password: str) -> str:
    if password.lower() in _common_passwords():
        raise ValueError("is too common; choose a password that is not on lists of leaked passwords")
    return password


# A new password anywhere (sign-up, reset, change): 8–128 characters, not common.
NewPassword = Annotated[str, Field(min_length=MIN_LENGTH, max_length=MAX_LENGTH), AfterValidator(_not_common)]
# A password being checked (sign-in, confirmations): only bounded, so nothing huge is hashed.
GivenPassword = Annotated[str, Field(min_length=1, max_length=MAX_LENGTH)]


@cache
def _dummy_hash(time_cost: int, memory_cost_kib: int, parallelism: int) -> str:
    """A hash at this cost, compared against when the account does not exist, so that
    sign-in takes the same time either way (no account enumeration by timing). Made once
    per cost and process: a whole hash of CPU, which every app start paid before."""
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost_kib, parallelism=parallelism)
    return hasher.hash("tandem-dummy-password-for-timing")


class PasswordHashing:
    def __init__(self, settings: PasswordSettings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.time_cost,
            memory_cost=settings.memory_cost_kib,
            parallelism=settings.parallelism,
        )
        self._dummy_hash = _dummy_hash(settings.time_cost, settings.memory_cost_kib, settings.parallelism)

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when `password` matches; with no hash, spends the same time and says False."""
        target = password_hash or self._dummy_hash
        try:
            matched = await asyncio.to_thread(self._hasher.verify, target, password)
        except (VerificationError, InvalidHashError):
            return False
        return bool(matched) and password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)
