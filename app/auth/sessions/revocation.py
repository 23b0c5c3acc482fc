"""Revocation in every process at once: a process-local session cache is only safe if
every process hears of each revocation.

Every eviction deletes the Redis copy (leaving a tombstone) and is broadcast on the
app's pub/sub connection; each process evicts on receipt. A revocation made while
Redis is down is broadcast once Redis answers again. Local entries also expire after
`local_cache_seconds`, which bounds staleness if a broadcast is missed, and the whole
local cache is dropped whenever the subscription may have missed messages.
"""

from __future__ import annotations

from redis.asyncio import Redis

from app.auth.sessions.cache import SessionCache
from app.core.pubsub import PubSub
from app.core.redis_gateway import RedisGateway, RedisUnavailable

REVOCATION_CHANNEL = "tandem:session-revocations"


class Revocations:
    def __init__(self, cache: SessionCache, *, redis: RedisGateway | None, pubsub: PubSub | None):
        self._cache = cache
        self._redis = redis
        self._pending: set[str] = set()  # token hashes not yet broadcast (Redis was down)
        if redis is not None:
            redis.on_recovery(self._flush_pending)
        if pubsub is not None:
            pubsub.subscribe(REVOCATION_CHANNEL, self._heard, on_gap=cache.forget_locally)

    async def evict(self, token_hash: str) -> None:
        """Drop every cached copy of a token (this process, Redis, other processes)."""
        self._cache.forget_locally(token_hash)
        if self._redis is not None:
            try:
                await self._broadcast(token_hash)
            except RedisUnavailable:
                self._pending.add(token_hash)

    def _heard(self, token_hash: bytes) -> None:
        self._cache.forget_locally(token_hash.decode())

    async def _broadcast(self, token_hash: str) -> None:
        if self._redis is None:
            return

        async def delete_and_publish(client: Redis) -> None:
            async with client.pipeline(transaction=True) as transaction:
                SessionCache.evict_shared(transaction, token_hash)
                transaction.publish(REVOCATION_CHANNEL, token_hash)
                await transaction.execute()

        await self._redis.run(delete_and_publish)

    async def _flush_pending(self) -> None:
        while self._pending:
            token_hash = self._pending.pop()
            try:
                await self._broadcast(token_hash)
            except RedisUnavailable:
                self._pending.add(token_hash)
                return
