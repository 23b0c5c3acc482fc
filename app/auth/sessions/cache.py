"""The two cache levels in front of the database: this process's copies (no I/O) and
the shared copies in Redis, with what keeps an eviction from being undone.

A lookup that read the database just before a revocation committed must not put what
it read back into a cache after the revocation cleared it. So every eviction leaves a
short-lived tombstone in Redis that the (Lua) store respects, and the process
remembers when it last heard of an eviction, so a lookup can drop a result it began
reading before.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from redis.asyncio.client import Pipeline

from app.core.principal import Principal
from app.core.redis_gateway import RedisGateway, RedisUnavailable
from app.core.settings import SessionSettings

REDIS_PREFIX = "tandem:session:"
# the Redis copy outlives local copies but is still short: it bounds how long a
# revocation made while Redis was down can be undone by a stale shared copy
REDIS_TTL_SECONDS = 300
EVICTED_PREFIX = "tandem:session-evicted:"
# how long an eviction bars storing copies: longer than any lookup takes from its
# database read to its store (a lookup slower than that could still re-cache)
EVICTION_MEMORY_SECONDS = 10
# SET unless an eviction happened within EVICTION_MEMORY_SECONDS, in one step
STORE_UNLESS_EVICTED = """
if redis.call('exists', KEYS[2]) == 1 then return 0 end
redis.call('set', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
"""


class SessionCache:
    def __init__(self, settings: SessionSettings, *, redis: RedisGateway | None):
        self.settings = settings
        self._redis = redis
        self._local: dict[str, tuple[Principal, float]] = {}
        # token hash → time.monotonic() of the last eviction heard of, oldest first
        self._evicted_at: dict[str, float] = {}
        self._all_evicted_at = 0.0  # the whole local cache was dropped
        self._store_script = None
        # told of every eviction heard of (a token hash, None for all): open event streams
        self._watchers: list[Callable[[str | None], None]] = []
        if redis is not None:
            self._store_script = redis.client.register_script(STORE_UNLESS_EVICTED)

    # ------------------------------------------------------------------ this process
    def local(self, token_hash: str, now: float) -> Principal | None:
        entry = self._local.get(token_hash)
        if entry is None:
            return None
        principal, cached_at = entry
        if now - cached_at > self.settings.local_cache_seconds:
            del self._local[token_hash]
            return None
        return principal

    def store_local(self, principal: Principal, now: float) -> None:
        if self.settings.local_cache_size == 0 or self.settings.local_cache_seconds == 0:
            return
        while len(self._local) >= self.settings.local_cache_size:
            del self._local[next(iter(self._local))]  # oldest first (insertion order)
        self._local[principal.token_hash] = (principal, now)

    def drop_local(self, token_hash: str) -> None:
        """Drop this process's copy only: the session changed here, nobody else must know."""
        self._local.pop(token_hash, None)

    # ------------------------------------------------------------------ shared (Redis)
    async def shared(self, token_hash: str) -> Principal | None:
        if self._redis is None:
            return None
        try:
            raw = await self._redis.run(lambda client: client.get(REDIS_PREFIX + token_hash))
        except RedisUnavailable:
            return None
        return Principal.from_bytes(raw) if raw else None

    async def store_shared(self, principal: Principal, now: float) -> None:
        if self._redis is None or self._store_script is None:
            return
        ttl = max(1, min(REDIS_TTL_SECONDS, int(principal.expires_at - now)))
        keys = [REDIS_PREFIX + principal.token_hash, EVICTED_PREFIX + principal.token_hash]
        script = self._store_script
        try:
            # the script object loads itself again if Redis restarted and lost it
            await self._redis.run(lambda client: script(keys=keys, args=[principal.to_bytes(), ttl]))
        except RedisUnavailable:
            pass

    @staticmethod
    def evict_shared(transaction: Pipeline, token_hash: str) -> None:
        """Queue, on a MULTI/EXEC pipeline, the tombstone and then the deletion of the
        shared copy: inside one transaction no store script can run between them."""
        transaction.set(EVICTED_PREFIX + token_hash, b"1", ex=EVICTION_MEMORY_SECONDS)
        transaction.delete(REDIS_PREFIX + token_hash)

    # ------------------------------------------------------------------ evictions heard of
    def forget_locally(self, token_hash: str | None = None) -> None:
        """Evict one session (or all) from this process's cache, and remember it, so
        that a lookup already under way does not cache what it read before."""
        if token_hash is None:
            self._local.clear()
            self._all_evicted_at = time.monotonic()
        else:
            self._local.pop(token_hash, None)
            self._note_eviction(token_hash)
        for watcher in self._watchers:
            watcher(token_hash)

    def watch_evictions(self, watcher: Callable[[str | None], None]) -> None:
        """Call `watcher` on every eviction heard of, in this process or from another
        (a token hash; None: all, after a pub/sub gap). It must not block."""
        self._watchers.append(watcher)

    def evicted_since(self, token_hash: str, started: float) -> bool:
        """Whether an eviction of this token (or of all) was heard of at or after
        `started`, a time.monotonic() taken before the lookup's first await."""
        return max(self._evicted_at.get(token_hash, 0.0), self._all_evicted_at) >= started

    def _note_eviction(self, token_hash: str) -> None:
        now = time.monotonic()
        self._evicted_at.pop(token_hash, None)
        self._evicted_at[token_hash] = now  # at the end: the dict stays oldest first
        while self._evicted_at:
            oldest = next(iter(self._evicted_at))
            if now - self._evicted_at[oldest] <= EVICTION_MEMORY_SECONDS:
                break
            del self._evicted_at[oldest]
