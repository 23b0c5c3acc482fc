"""Wait for what a test can observe, rather than for a fixed time."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable


async def eventually(
    condition: Callable[[], bool | Awaitable[bool]], *, timeout: float = 15, interval: float = 0.02
) -> None:
    """Returns as soon as `condition()` (sync or async) is true; fails after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if loop.time() >= deadline:
            raise AssertionError(f"not true within {timeout} s: {getattr(condition, '__name__', condition)}")
        await asyncio.sleep(interval)
