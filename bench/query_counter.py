"""A chain link for the bench only: counts the SQL statements each request sends (each
takes a pooled connection for itself) and answers them in `X-Bench-Queries`.

The bench starts a separate server with this link first in its chain (config's
middleware.chain takes a dotted path) to read the figures, and measures speed on servers
without it. It wraps Tortoise's PostgreSQL client methods in that process only.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from typing import Any

from tortoise.backends.asyncpg import client

from middleware.base import Link

_statements: ContextVar[list[int] | None] = ContextVar("bench_statements", default=None)
# every statement, Tortoise's or a compiled query's (app.core.compiled_query), takes the
# connection for itself once
_COUNTED = (
    (client.AsyncpgDBClient, ("acquire_connection",)),
    (client.TransactionWrapper, ("acquire_connection",)),
)


def _counting(method: Any) -> Any:
    @functools.wraps(method)
    def counted(*args: Any, **kwargs: Any) -> Any:
        tally = _statements.get()
        if tally is not None:
            tally[0] += 1
        return method(*args, **kwargs)

    counted.__bench_counted__ = True  # type: ignore[attr-defined]
    return counted


class QueryCountLink(Link):
    name = "bench_query_count"

    def __init__(self, state: Any) -> None:
        super().__init__(state)
        for owner, names in _COUNTED:
            for name in names:
                method = getattr(owner, name)
                if not getattr(method, "__bench_counted__", False):
                    setattr(owner, name, _counting(method))

    async def on_request(self, request: Any) -> None:
        _statements.set([0])

    async def on_response(self, request: Any, response: Any) -> None:
        tally = _statements.get()
        if tally is not None:
            response.headers["X-Bench-Queries"] = str(tally[0])
