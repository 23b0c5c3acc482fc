"""Readiness checks. Each is bounded, all run at once, so health answers within 1 s
even when a dependency hangs (SPEC §4)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from tortoise import connections

from app.core.redis_gateway import RedisGateway

CHECK_TIMEOUT_SECONDS = 0.8
OK, DOWN, NOT_CONFIGURED = "ok", "down", "not_configured"


async def _database() -> bool:
    await connections.get("default").execute_query("SELECT 1")
    return True


async def _bounded(check: Callable[[], Awaitable[bool]]) -> str:
    try:
        healthy = await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
    except Exception:  # noqa: BLE001 - any failure of a dependency is "down", never a 500
        return DOWN
    return OK if healthy else DOWN


async def run_checks(
    redis_gateway: RedisGateway | None, broker_is_healthy: Callable[[], bool]
) -> dict[str, str]:
    """`broker_is_healthy`: the app's probe of its broker (blocking, bounded; app.state)."""

    async def redis() -> bool:
        return await redis_gateway.ping() if redis_gateway else True

    async def broker() -> bool:
        return await asyncio.to_thread(broker_is_healthy)

    names = ["database", "redis", "broker"]
    results = await asyncio.gather(_bounded(_database), _bounded(redis), _bounded(broker))
    checks = dict(zip(names, results, strict=True))
    if redis_gateway is None:
        checks["redis"] = NOT_CONFIGURED
    return checks
