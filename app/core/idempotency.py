"""Idempotency keys (SPEC §1): a creating POST retried with the same `Idempotency-Key` gets
the first response again instead of creating twice. middleware.idempotency applies it;
docs/conventions.md ("Idempotency") is the client's view.

The record is a database row (models.idempotency), unique per (user, key), so every API
process sees the same claims, with or without Redis. A request claims its key by
inserting the row; its response completes the row, or (5xx) deletes it so that a retry
runs again. `locked_until` both bounds a claim whose process died and fences it: a
completion or release only touches the row while it still carries the claimant's own
`locked_until`, so a request whose lapsed claim was taken over cannot overwrite the
new claimant's outcome.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from tortoise.exceptions import IntegrityError

from app.core import errors
from app.core.endpoint import Operation
from app.core.settings import IdempotencySettings
from models.idempotency import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# printable ASCII (space to tilde), like Stripe's keys; a UUID is the usual choice
VALID_KEY = re.compile(r"^[\x20-\x7e]{1,255}$")
# response headers a client needs from a replay; per-request ones (request id, rate limit)
# are the replaying request's own
KEPT_HEADERS = ("content-type", "location")
# expired rows deleted, at most, each time a key is first claimed
PURGE_BATCH = 100


def accepts_key(operation: Operation, method: str) -> bool:
    """A POST that creates (declared 201) for a signed-in user. Anonymous creations
    (sign-up, bootstrap) have no user to scope a key to: a key shared by every anonymous
    caller would let one replay another's response, and they are guarded otherwise (a
    second sign-up is a 409 on the taken email)."""
    return method.upper() == "POST" and operation.status == 201 and operation.access.authenticated


def check_key(key: str) -> str:
    if not VALID_KEY.match(key):
        raise errors.ValidationFailed.of_field(HEADER, "must be 1 to 255 printable ASCII characters")
    return key


def fingerprint(*, method: str, path: str, organization: str, body: bytes) -> str:
    """What makes two requests "the same": each part length-prefixed, so that no two
    different requests hash alike by moving bytes from one part to the next."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), organization.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Claim:
    """This request runs under the key; its response completes or releases the claim."""

    record_id: UUID
    locked_until: datetime


@dataclass(frozen=True, slots=True)
class Replay:
    status: int
    body: bytes
    headers: dict[str, str]


class IdempotencyStore:
    def __init__(self, settings: IdempotencySettings) -> None:
        self._ttl = timedelta(seconds=settings.ttl_seconds)
        self._lock = timedelta(seconds=settings.lock_seconds)

    async def claim(self, user_id: UUID, key: str, fingerprint: str) -> Claim | Replay:
        """Claim the key, or the stored response to replay; 409 while another request
        holds it, 422 when it was used for a different request."""
        # again when the row expired or vanished between our insert and our read
        for _ in range(3):
            now = datetime.now(UTC)
            locked_until = now + self._lock
            try:
                record = await IdempotencyRecord.create(
                    user_id=user_id,
                    key=key,
                    fingerprint=fingerprint,
                    locked_until=locked_until,
                    expires_at=now + self._ttl,
                )
            except IntegrityError:
                pass  # the key is taken: see by whom below
            else:
                await self._purge_expired(now)
                return Claim(record.id, locked_until)
            existing = await IdempotencyRecord.get_or_none(user_id=user_id, key=key)
            if existing is None:
                continue  # released or purged meanwhile: insert again
            if existing.expires_at <= now:
                # an expired record counts as absent; only this very row is deleted, so
                # a concurrent claimant's fresh row survives
                await IdempotencyRecord.filter(id=existing.id, expires_at=existing.expires_at).delete()
                continue
            if existing.fingerprint != fingerprint:
                raise errors.IdempotencyKeyReused(
                    f"This {HEADER} was used for a different request; use a new key for a new request"
                )
            if existing.status is not None:
                return Replay(existing.status, bytes(existing.body or b""), dict(existing.headers))
            if existing.locked_until > now:
                raise errors.IdempotencyKeyInUse(
                    f"A request with this {HEADER} is still being processed; retry later"
                )
            # the first request's claim lapsed (its process died): take over, atomically,
            # so that of several retries exactly one runs
            taken = await IdempotencyRecord.filter(
                id=existing.id, status=None, locked_until=existing.locked_until
            ).update(locked_until=locked_until)
            if taken:
                return Claim(existing.id, locked_until)
            raise errors.IdempotencyKeyInUse(
                f"A request with this {HEADER} is still being processed; retry later"
            )
        raise errors.IdempotencyKeyInUse(
            f"A request with this {HEADER} is still being processed; retry later"
        )

    async def complete(self, claim: Claim, *, status: int, body: bytes, headers: dict[str, str]) -> None:
        await self._claimed(claim).update(status=status, body=body, headers=headers)

    async def release(self, claim: Claim) -> None:
        """Forget the claim: the request failed on our side, and a retry should run again."""
        await self._claimed(claim).delete()

    @staticmethod
    def _claimed(claim: Claim):  # type: ignore[no-untyped-def]
        """The claimed row, while it is still this claim's (not taken over, not completed)."""
        return IdempotencyRecord.filter(id=claim.record_id, status=None, locked_until=claim.locked_until)

    @staticmethod
    async def _purge_expired(now: datetime) -> None:
        """Expired rows, a bounded batch at a time: each first use of a key pays for a
        little of the clean-up, and no request pays for all of it."""
        expired = (
            await IdempotencyRecord.filter(expires_at__lte=now)
            .limit(PURGE_BATCH)
            .values_list("id", flat=True)
        )
        if expired:
            await IdempotencyRecord.filter(id__in=list(expired), expires_at__lte=now).delete()
