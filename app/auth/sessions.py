"""Server-side sessions: create, look up (three cache levels), touch, revoke.

Lookup order: this process's cache (no I/O) → Redis (shared) → the database.
A process-local cache is only safe if revocation reaches every process at once,
so every revoke deletes the Redis copy and is broadcast over Redis pub/sub;
each process evicts on receipt. The local entries also expire after
`local_cache_seconds`, which bounds staleness if a broadcast is missed, and the
whole local cache is dropped whenever the subscription reconnects.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from redis.exceptions import RedisError

from app.auth.principal import Principal
from app.auth.tokens import hash_token, new_token
from app.core.redis_gateway import RedisGateway, RedisUnavailable
from app.core.settings import SessionSettings
from app.users.schemas import UserPublic
from models import AuthSession, User

logger = logging.getLogger("tandem.sessions")
REDIS_PREFIX = "tandem:session:"
REVOCATION_CHANNEL = "tandem:session-revocations"
# the Redis copy outlives local copies but is still short: it bounds how long a
# revocation made while Redis was down can be undone by a stale shared copy
REDIS_TTL_SECONDS = 300
LISTEN_POLL_SECONDS = 0.5


class SessionStore:
    def __init__(
        self,
        settings: SessionSettings,
        *,
        redis: RedisGateway | None,
        clock: Callable[[], float] = time.time,
    ):
        self.settings = settings
        self.clock = clock
        self._redis = redis
        self._local: dict[str, tuple[Principal, float]] = {}
        self._pending_revocations: set[str] = set()
        self._listening = False
        if redis is not None:
            redis.on_recovery(self._flush_pending_revocations)

    # ------------------------------------------------------------------ create
    async def create(
        self, user: User, *, kind: str, ip_address: str, user_agent: str
    ) -> tuple[AuthSession, str, str | None]:
        """A new session; returns it with its token (and refresh token for bearer)."""
        token = new_token()
        refresh = new_token() if kind == "bearer" else None
        now = datetime.fromtimestamp(self.clock(), UTC)
        session = await AuthSession.create(
            user=user,
            token_hash=hash_token(token),
            refresh_token_hash=hash_token(refresh) if refresh else None,
            kind=kind,
            ip_address=ip_address[:45],
            user_agent=user_agent[:512],
            last_seen_at=now,
            expires_at=now + timedelta(seconds=self.settings.absolute_lifetime_seconds),
        )
        return session, token, refresh

    # ------------------------------------------------------------------ lookup
    async def principal_for(self, token: str) -> Principal | None:
        """The live session behind `token`, or None (unknown, revoked, idle or expired)."""
        token_hash = hash_token(token)
        now = self.clock()
        principal = self._from_local(token_hash, now)
        if principal is None:
            principal = await self._from_redis(token_hash)
            if principal is None:
                principal = await self._from_database(token_hash)
                if principal is not None:
                    await self._store_shared(principal, now)
            if principal is not None:
                self._store_local(principal, now)
        if principal is None:
            return None
        if now >= principal.expires_at or now - principal.last_seen_at > self.settings.idle_timeout_seconds:
            await self.revoke(token_hash)
            return None
        if now - principal.last_seen_at > self.settings.touch_interval_seconds:
            principal = await self._touch(principal, now)
        return principal

    def _from_local(self, token_hash: str, now: float) -> Principal | None:
        entry = self._local.get(token_hash)
        if entry is None:
            return None
        principal, cached_at = entry
        if now - cached_at > self.settings.local_cache_seconds:
            del self._local[token_hash]
            return None
        return principal

    def _store_local(self, principal: Principal, now: float) -> None:
        if self.settings.local_cache_size == 0 or self.settings.local_cache_seconds == 0:
            return
        while len(self._local) >= self.settings.local_cache_size:
            del self._local[next(iter(self._local))]  # oldest first (insertion order)
        self._local[principal.token_hash] = (principal, now)

    async def _from_redis(self, token_hash: str) -> Principal | None:
        if self._redis is None:
            return None
        try:
            raw = await self._redis.run(lambda client: client.get(REDIS_PREFIX + token_hash))
        except RedisUnavailable:
            return None
        return Principal.from_bytes(raw) if raw else None

    async def _store_shared(self, principal: Principal, now: float) -> None:
        if self._redis is None:
            return
        ttl = max(1, min(REDIS_TTL_SECONDS, int(principal.expires_at - now)))
        try:
            await self._redis.run(
                lambda client: client.set(REDIS_PREFIX + principal.token_hash, principal.to_bytes(), ex=ttl)
            )
        except RedisUnavailable:
            pass

    async def _from_database(self, token_hash: str) -> Principal | None:
        session = (
            await AuthSession.filter(token_hash=token_hash, revoked_at=None)
            .select_related("user")
            .first()
        )
        if session is None or session.user.disabled or session.user.deleted_at is not None:
            return None
        return _principal_of(session, session.user)

    async def _touch(self, principal: Principal, now: float) -> Principal:
        """Record activity, at most once per touch interval (idle timeout needs it)."""
        seen = datetime.fromtimestamp(now, UTC)
        await AuthSession.filter(id=principal.session_id).update(last_seen_at=seen)
        fresh = Principal(**{**_fields(principal), "last_seen_at": now})
        self._store_local(fresh, now)
        await self._store_shared(fresh, now)
        return fresh

    # ------------------------------------------------------------------ revoke
    async def revoke(self, token_hash: str) -> None:
        """End the session everywhere: database, Redis copy, every process's cache."""
        await AuthSession.filter(token_hash=token_hash, revoked_at=None).update(
            revoked_at=datetime.fromtimestamp(self.clock(), UTC)
        )
        self._local.pop(token_hash, None)
        if self._redis is not None:
            try:
                await self._broadcast_revocation(token_hash)
            except RedisUnavailable:
                self._pending_revocations.add(token_hash)

    async def revoke_session(self, session_id: UUID) -> None:
        token_hash = await AuthSession.filter(id=session_id).values_list("token_hash", flat=True).first()
        if token_hash:
            await self.revoke(str(token_hash))

    async def _broadcast_revocation(self, token_hash: str) -> None:
        if self._redis is None:
            return

        async def delete_and_publish(client):  # type: ignore[no-untyped-def]
            async with client.pipeline(transaction=False) as pipe:
                pipe.delete(REDIS_PREFIX + token_hash)
                pipe.publish(REVOCATION_CHANNEL, token_hash)
                await pipe.execute()

        await self._redis.run(delete_and_publish)

    async def _flush_pending_revocations(self) -> None:
        while self._pending_revocations:
            token_hash = self._pending_revocations.pop()
            try:
                await self._broadcast_revocation(token_hash)
            except RedisUnavailable:
                self._pending_revocations.add(token_hash)
                return

    def forget_locally(self, token_hash: str | None = None) -> None:
        """Evict one session (or all) from this process's cache."""
        if token_hash is None:
            self._local.clear()
        else:
            self._local.pop(token_hash, None)

    def stop_listening(self) -> None:
        self._listening = False

    async def listen_for_revocations(self) -> None:
        """Runs until stop_listening(): evicts sessions revoked by other processes.

        Polls with a timeout and a flag rather than relying on task cancellation,
        which redis-py's pub/sub reads do not reliably honour.
        """
        if self._redis is None:
            return
        self._listening = True
        client = self._redis.subscription_client()
        try:
            while self._listening:
                try:
                    async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                        await pubsub.subscribe(REVOCATION_CHANNEL)
                        # anything revoked while we were not listening is unknown: start clean
                        self.forget_locally()
                        while self._listening:
                            message = await pubsub.get_message(timeout=LISTEN_POLL_SECONDS)
                            if message is not None:
                                self.forget_locally(message["data"].decode())
                except (RedisError, OSError) as error:
                    logger.warning("session revocation feed lost (%s); reconnecting", error)
                    self.forget_locally()
                    await asyncio.sleep(LISTEN_POLL_SECONDS)
        finally:
            await client.aclose()


def _fields(principal: Principal) -> dict[str, object]:
    return {name: getattr(principal, name) for name in Principal.__slots__}  # type: ignore[attr-defined]


def _principal_of(session: AuthSession, user: User) -> Principal:
    return Principal(
        session_id=session.id,
        token_hash=session.token_hash,
        user_id=user.id,
        global_role=user.global_role,
        current_organization_id=user.current_organization_id,
        expires_at=session.expires_at.timestamp(),
        last_seen_at=session.last_seen_at.timestamp(),
        user_json=UserPublic.of(user).model_dump_json().encode(),
    )
