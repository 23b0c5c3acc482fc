"""Models and migrations agree, on every supported database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from aerich import Command

from app.core.database import APP_LABEL, migrations_location, tortoise_config
from app.core.settings import DatabaseSettings
from tests.databases import migrate_postgres_from_empty, migrate_sqlite
from tests.services import POSTGRES_URL


@pytest.mark.parametrize("url", ["sqlite://:memory:", POSTGRES_URL], ids=["sqlite", "postgres"])
async def test_models_and_migrations_do_not_drift(url: str, tmp_path: Path):
    database = DatabaseSettings(url=url)
    # a copy, so a detected drift writes its would-be migration to tmp_path, not the repo
    copy = tmp_path / "migrations"
    shutil.copytree(migrations_location(database), copy)
    command = Command(tortoise_config=tortoise_config(database), app=APP_LABEL, location=str(copy))
    await command.init(offline=True)
    try:
        drift = await command.migrate("drift_check", no_input=True, offline=True)
    finally:
        await command.aclose()
    assert drift == "", (
        f"models differ from the newest {database.dialect} migration; "
        "run `python server.py makemigrations NAME` and commit the new files"
    )


@pytest.fixture
async def database_migrated_from_empty(database_url: str, tmp_path: Path) -> str:
    """Unlike `migrated_database` (migrated once per run), every migration runs in this test."""
    if database_url == "sqlite":
        path = tmp_path / "tandem.sqlite3"
        await migrate_sqlite(path)
        return f"sqlite://{path}"
    await migrate_postgres_from_empty(database_url)
    return database_url


async def test_migrations_build_the_schema_from_empty(database_migrated_from_empty):
    from tortoise import Tortoise

    from app.core.database import close_database, open_database

    await open_database(DatabaseSettings(url=database_migrated_from_empty))
    try:
        connection = Tortoise.get_connection("default")
        for table in ("users", "auth_sessions", "organizations", "organization_users", "aerich"):
            await connection.execute_query(f'SELECT COUNT(*) FROM "{table}"')
    finally:
        await close_database()
