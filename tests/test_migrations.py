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

DIALECTS = pytest.mark.parametrize("url", ["sqlite://:memory:", POSTGRES_URL], ids=["sqlite", "postgres"])


async def would_be_migration(database: DatabaseSettings, migrations: Path) -> str:
    """The file aerich would write for what the models add to `migrations`; "" if nothing."""
    command = Command(tortoise_config=tortoise_config(database), app=APP_LABEL, location=str(migrations))
    await command.init(offline=True)
    try:
        return await command.migrate("drift_check", no_input=True, offline=True)
    finally:
        await command.aclose()


def copy_of_migrations(database: DatabaseSettings, tmp_path: Path) -> Path:
    """A copy, so a detected drift writes its would-be migration to tmp_path, not the repo."""
    copy = tmp_path / "migrations"
    shutil.copytree(migrations_location(database), copy)
    return copy


@DIALECTS
async def test_models_and_migrations_do_not_drift(url: str, tmp_path: Path):
    database = DatabaseSettings(url=url)
    drift = await would_be_migration(database, copy_of_migrations(database, tmp_path))
    assert drift == "", (
        f"models differ from the newest {database.dialect} migration; "
        "run `python server.py makemigrations NAME` and commit the new files"
    )


@DIALECTS
async def test_the_drift_check_sees_a_missing_migration(url: str, tmp_path: Path):
    """Without the newest migration the models are ahead: the check above must say so,
    or its "" would prove nothing."""
    database = DatabaseSettings(url=url)
    copy = copy_of_migrations(database, tmp_path)
    newest = max((copy / APP_LABEL).glob("*.py"), key=lambda path: int(path.name.split("_", 1)[0]))
    newest.unlink()
    drift = await would_be_migration(database, copy)
    assert drift.split("_", 1)[0] == newest.name.split("_", 1)[0]  # written in the missing one's place
    assert drift.endswith("_drift_check.py")


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
