"""The rate limiter the chain calls: shared in Redis, per-process when it must be.

When Redis is unreachable the `auth` policy falls back to this process's own
limiter (brute force stays bounded) and every other policy lets requests
through (an outage of the cache must not become an outage of the API) — SPEC §1.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

from app.core.redis_gateway import RedisGateway, RedisUnavailable
from app.ratelimit.gcra import (
    LUA_SCRIPT,
    Check,
    Decision,
    MemoryGcra,
    decision_from_lua,
    lua_arguments,
)

logger = logging.getLogger("tandem.ratelimit")
KEY_PREFIX = "tandem:rl:"
# Policies that stay limited, per process, while Redis is down.
FALLBACK_POLICIES = frozenset({"auth"})


class RateLimiter:
    def __init__(self, *, redis: RedisGateway | None, memory: MemoryGcra | None = None):
        self._redis = redis
        self._memory = memory or MemoryGcra()
        self._sha: str | None = None

    async def hit(self, policy_name: str, checks: Sequence[Check]) -> Decision | None:
        """Count one request against every check; None means not limited right now."""
        if self._redis is None:
            return self._memory.hit(checks)
        try:
            return await self._redis.run(lambda client: self._evaluate(client, checks))
        except RedisUnavailable:
            if policy_name in FALLBACK_POLICIES:
                return self._memory.hit(checks)
            return None

    async def _evaluate(self, client: Redis, checks: Sequence[Check]) -> Decision:
        keys = [KEY_PREFIX + check.key for check in checks]
        arguments = lua_arguments(checks)
        if self._sha is None:
            self._sha = await client.script_load(LUA_SCRIPT)
        try:
            reply = await client.evalsha(self._sha, len(keys), *keys, *arguments)
        except NoScriptError:
            # Redis restarted (scripts are not persisted): load again, once.
            self._sha = await client.script_load(LUA_SCRIPT)
            reply = await client.evalsha(self._sha, len(keys), *keys, *arguments)
        return decision_from_lua(checks, reply)
