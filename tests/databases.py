"""Test databases: migrated once per run, emptied per test.

Migrating from empty costs a tenth of a second or more per database and grows with every
migration; emptying the tables (PostgreSQL) or copying a migrated file (SQLite) does not.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from tortoise.backends.base.executor import EXECUTOR_CACHE

from app.core.database import apply_migrations, close_database
from app.core.settings import DatabaseSettings

T = TypeVar("T")
# SQLite keeps recent writes beside the file until a checkpoint; a copy takes them along
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def run_outside_the_test_loop(work: Coroutine[Any, Any, T]) -> T:
    """Session fixtures run before any test's event loop exists and outlive it: give the
    work a loop of its own, on a thread, so no test's loop is created or closed under it."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, work).result()


async def _ensure_postgres_database(url: str) -> None:
    """Each xdist worker has a database of its own, created on first use."""
    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    connection = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def _migrate(url: str) -> None:
    # Tortoise caches compiled INSERTs per (connection name, table), not per dialect; a
    # process serves one database in production, but this suite alternates two.
    EXECUTOR_CACHE.clear()
    await apply_migrations(DatabaseSettings(url=url))
    await close_database()


async def migrate_postgres_from_empty(url: str) -> list[str]:
    """Drops everything, runs every migration; returns the tables that hold data."""
    await _ensure_postgres_database(url)
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await _migrate(url)
        rows = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'aerich'"
        )
    finally:
        await connection.close()
    return sorted(row["tablename"] for row in rows)


async def empty_postgres(url: str, tables: list[str]) -> None:
    connection = await asyncpg.connect(url)
    try:
        names = ", ".join(f'"{table}"' for table in tables)
        await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


async def migrate_sqlite(path: Path) -> None:
    for suffix in ("", *SQLITE_SIDE_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    await _migrate(f"sqlite://{path}")


def copy_sqlite(template: Path, destination: Path) -> str:
    """The template's copy at `destination`, as a database URL."""
    for suffix in ("", *SQLITE_SIDE_FILES):
        source = Path(f"{template}{suffix}")
        if source.exists():
            shutil.copyfile(source, f"{destination}{suffix}")
    return f"sqlite://{destination}"
