"""Tortoise set-up and aerich migrations for the configured database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext

from app.core.settings import DatabaseSettings
from models import MODEL_MODULES

MIGRATIONS_ROOT = Path(__file__).resolve().parents[2] / "migrations"
APP_LABEL = "models"


class PooledConnection(asyncpg.Connection):
    """A PostgreSQL connection that skips asyncpg's reset query when it goes back to the pool.

    asyncpg sends `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;` on
    every release, and Tortoise releases after every statement outside a transaction: a
    second round trip for each query (2.8% of an audit-log page's CPU under load, and as
    much PostgreSQL time as the query). Tandem keeps no session state on pooled
    connections: no advisory locks, LISTEN, cursors or SET (pub/sub is Redis's). An open
    transaction is still rolled back on release (asyncpg does that apart from this query).
    A feature that starts using session state must bring the reset back.
    """

    def get_reset_query(self) -> str:
        return ""


def tortoise_config(database: DatabaseSettings) -> dict[str, Any]:
    url = database.url
    connection: str | dict[str, Any] = url
    if database.dialect == "sqlite":
        path = url.split("://", 1)[1].split("?", 1)[0]
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    else:
        separator = "&" if "?" in url else "?"
        connection = expand_db_url(
            f"{url}{separator}minsize={database.pool_min_size}&maxsize={database.pool_max_size}"
        )
        connection["credentials"]["connection_class"] = PooledConnection
    return {
        "connections": {"default": connection},
        "apps": {
            APP_LABEL: {
                "models": [*MODEL_MODULES, "aerich.models"],
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def migrations_location(database: DatabaseSettings) -> str:
    """Aerich writes SQL per dialect, so each database has its own folder."""
    return str(MIGRATIONS_ROOT / database.dialect)


class _Holders:
    """Tortoise's connections are the process's (its global fallback): how many opened
    them and have not closed them yet, so that one app stopping does not close them under
    another app of the same process."""

    count = 0


async def open_database(database: DatabaseSettings) -> None:
    # The global fallback lets request tasks, which Sanic starts outside the
    # listener's context, reach the connections (Tortoise 1.x keeps them in a contextvar).
    await Tortoise.init(config=tortoise_config(database), _enable_global_fallback=True)
    _Holders.count += 1


async def close_database() -> None:
    _Holders.count = max(_Holders.count - 1, 0)
    if _Holders.count == 0:
        await Tortoise.close_connections()


@asynccontextmanager
async def own_database(database: DatabaseSettings) -> AsyncIterator[None]:
    """Connections of the current task's own, closed on exit: for a background thread with
    an event loop of its own (a worker process's reminder sweeper, tasks/scheduler.py),
    which must not share the process's connections (bound to another loop) nor replace
    them as the global fallback."""
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(database))
        yield


async def apply_migrations(database: DatabaseSettings) -> list[str]:
    """Bring the database up to the newest migration; returns what was applied."""
    from aerich import Command

    command = Command(
        tortoise_config=tortoise_config(database),
        app=APP_LABEL,
        location=migrations_location(database),
    )
    async with command:
        await command.init()
        return await command.upgrade(run_in_transaction=True)


# Each dialect's migrations are generated from the models without a live database.
DIALECT_URLS = {"sqlite": "sqlite://:memory:", "postgres": "postgres://localhost/offline"}


async def make_migration(dialect: str, name: str) -> str:
    """Write one dialect's migration for what changed in the models; its file name or "".

    Run each dialect in its own event loop (asyncio.run): aerich leaves Tortoise's
    context closed behind it, so a second Command in the same loop finds no connection.
    """
    from aerich import Command

    database = DatabaseSettings(url=DIALECT_URLS[dialect])
    command = Command(
        tortoise_config=tortoise_config(database),
        app=APP_LABEL,
        location=migrations_location(database),
    )
    await command.init(offline=True)
    try:
        return await command.migrate(name, no_input=True, offline=True)
    finally:
        await command.aclose()


def make_migration_in_process(dialect: str, name: str) -> str:
    return asyncio.run(make_migration(dialect, name))
