"""The rate limiter the chain calls: shared in Redis, per-process when it must be.

When Redis is unreachable the `auth`, `auth_ip`, `auth_account` and `token` checks fall back to
this process's own limiter (guessing passwords and tokens stays bounded) and every
other policy lets requests through (an outage of the cache must not become an
outage of the API) — SPEC §1.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

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
FALLBACK_POLICIES = frozenset({"auth", "auth_ip", "auth_account", "token"})


class RateLimiter:
    """Requests that arrive together share one Redis round trip: each hit joins the
    batch of the current event-loop turn, and the batch goes out as one pipeline. Under
    load that is several requests per round trip instead of one; alone, it costs
    nothing (the batch leaves on the loop's next turn)."""

    def __init__(self, *, redis: RedisGateway | None, memory: MemoryGcra | None = None):
        self._redis = redis
        self._memory = memory or MemoryGcra()
        self._sha: str | None = None
        self._batch: list[tuple[Sequence[Check], asyncio.Future[Decision]]] = []
        self._sending: set[asyncio.Task[None]] = set()  # strong references until done

    async def hit(self, checks: Sequence[Check]) -> Decision | None:
        """Count one request against every check; None means not limited right now."""
        if self._redis is None:
            return self._memory.hit(checks)
        loop = asyncio.get_running_loop()
        decision: asyncio.Future[Decision] = loop.create_future()
        if not self._batch:
            loop.call_soon(self._send_batch)
        self._batch.append((checks, decision))
        try:
            return await decision
        except RedisUnavailable:
            kept = [check for check in checks if check.policy_name in FALLBACK_POLICIES]
            return self._memory.hit(kept) if kept else None

    def _send_batch(self) -> None:
        batch, self._batch = self._batch, []
        task = asyncio.ensure_future(self._evaluate_batch(batch))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _evaluate_batch(self, batch: list[tuple[Sequence[Check], asyncio.Future[Decision]]]) -> None:
        assert self._redis is not None
        try:
            replies = await self._redis.run(
                lambda client: self._evaluate(client, [checks for checks, _ in batch])
            )
            decisions = [
                decision_from_lua(checks, reply) for (checks, _), reply in zip(batch, replies, strict=True)
            ]
        except Exception as error:  # noqa: BLE001 - handed on to every waiting request
            # every waiting request gets an answer, whatever went wrong: RedisUnavailable
            # becomes the fallback in hit(), anything else a 500 with its traceback logged
            for _, decision in batch:
                if not decision.done():
                    decision.set_exception(error)
            return
        for (_, decision), result in zip(batch, decisions, strict=True):
            if not decision.done():
                decision.set_result(result)

    async def _evaluate(self, client: Redis, batch: list[Sequence[Check]]) -> list[Any]:
        if self._sha is None:
            self._sha = await client.script_load(LUA_SCRIPT)
        try:
            return await self._pipeline(client, batch)
        except NoScriptError:
            # Redis restarted (scripts are not persisted): load again, once. A missing
            # script fails every call of the pipeline, so none of them counted.
            self._sha = await client.script_load(LUA_SCRIPT)
            return await self._pipeline(client, batch)

    async def _pipeline(self, client: Redis, batch: list[Sequence[Check]]) -> list[Any]:
        async with client.pipeline(transaction=False) as pipe:
            for checks in batch:
                keys = [KEY_PREFIX + check.key for check in checks]
                pipe.evalsha(self._sha, len(keys), *keys, *lua_arguments(checks))
            return await pipe.execute()
