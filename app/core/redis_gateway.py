"""Redis, with the outage handling every caller needs in one place.

After a failure the gateway reports Redis as down for `retry_after_seconds`
without trying it, so a dead Redis costs one timeout per window, not one per
request; the next call after the window tries again, so shared state resumes
by itself when Redis returns (SPEC §1, Rate limits).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from app.core.metrics import Metrics
from app.core.settings import RedisSettings

logger = logging.getLogger("tandem.redis")
T = TypeVar("T")


class RedisUnavailable(Exception):
    """Redis did not answer (or is inside its back-off window)."""


class RedisGateway:
    def __init__(
        self, settings: RedisSettings, *, metrics: Metrics, clock: Callable[[], float] = time.monotonic
    ):
        self._url = settings.url
        self._retry_after = settings.retry_after_seconds
        self._clock = clock
        self._metrics = metrics
        self._down_until = 0.0
        self.client: Redis = Redis.from_url(
            settings.url,
            socket_timeout=settings.timeout_seconds,
            socket_connect_timeout=settings.timeout_seconds,
            # one attempt only: the caller has a fallback, retries would just add latency
            retry=Retry(NoBackoff(), 0),
            decode_responses=False,
        )
        self._recovered_hooks: list[Callable[[], Awaitable[None]]] = []
        # the event loop keeps only weak references to tasks: hold them until they end
        self._recovery_tasks: set[asyncio.Task[None]] = set()
        self._metrics.redis_fallback(False)  # the series exists before the first outage

    @property
    def is_down(self) -> bool:
        return self._clock() < self._down_until

    def on_recovery(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run `hook` in the background once Redis answers again after an outage."""
        self._recovered_hooks.append(hook)

    async def run(self, operation: Callable[[Redis], Awaitable[T]]) -> T:
        """Run one Redis operation; raise RedisUnavailable instead of any Redis failure."""
        if self._down_until and self.is_down:
            raise RedisUnavailable()
        try:
            result = await operation(self.client)
        except (RedisError, OSError, TimeoutError) as error:
            if not self._down_until:
                logger.warning("redis unreachable, using in-process fallbacks: %s", error)
                self._metrics.redis_fallback(True)
            self._down_until = self._clock() + self._retry_after
            raise RedisUnavailable() from error
        if self._down_until:
            self._down_until = 0.0
            logger.warning("redis reachable again, shared state resumed")
            self._metrics.redis_fallback(False)
            # in the background: the request that happened to notice the recovery should
            # not wait for (or fail with) catching up on what the outage left behind
            for hook in self._recovered_hooks:
                task = asyncio.get_running_loop().create_task(self._run_hook(hook))
                self._recovery_tasks.add(task)
                task.add_done_callback(self._recovery_tasks.discard)
        return result

    @staticmethod
    async def _run_hook(hook: Callable[[], Awaitable[None]]) -> None:
        try:
            await hook()
        except Exception:
            logger.exception("redis recovery hook %s failed", getattr(hook, "__qualname__", hook))

    def subscription_client(self) -> Redis:
        """A separate client for pub/sub: it waits on its socket indefinitely, which the
        command client's short timeouts would turn into constant reconnects."""
        return Redis.from_url(self._url, socket_connect_timeout=2, socket_keepalive=True)

    async def ping(self) -> bool:
        try:
            await self.run(lambda client: client.ping())
        except RedisUnavailable:
            return False
        return True

    async def close(self) -> None:
        # let catching-up finish before the connection goes
        if self._recovery_tasks:
            await asyncio.gather(*self._recovery_tasks, return_exceptions=True)
        await self.client.aclose()
