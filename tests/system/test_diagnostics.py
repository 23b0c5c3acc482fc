"""SPEC §4 GET /system/diagnostics: version, settings set (names, never values), migration
state and queue depths, for PlatformAdmins."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.database import migrations_location
from app.system.diagnostics.service import migration_state, shipped_migrations
from app.version import VERSION
from tests.conftest import CLIENT_KEY, SECRET_KEY
from tests.factories import signed_in_user, signed_in_with_global_role
from tests.problems import assert_problem

pytestmark = pytest.mark.many_sign_ins

METRICS_TOKEN = "diagnostics-must-never-show-" + "s3cr3t" * 6


@pytest.fixture
async def diagnosed(make_settings, migrated_database, redis_url, start_app):  # type: ignore[no-untyped-def]
    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        metrics={"token": METRICS_TOKEN},
    )
    async with start_app(settings) as live:
        yield live


async def test_diagnostics_are_for_platform_admins_only(diagnosed):
    person = await signed_in_user(diagnosed)
    assert_problem(await person.client.get("/api/v1/system/diagnostics"), 403, "FORBIDDEN")
    assert_problem(await diagnosed.client.get("/api/v1/system/diagnostics"), 401, "UNAUTHENTICATED")


async def test_diagnostics_name_the_settings_set_and_never_show_a_value(diagnosed, migrated_database):
    admin = await signed_in_with_global_role(diagnosed, "PlatformAdmin")

    response = await admin.client.get("/api/v1/system/diagnostics")

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["version"] == VERSION
    for name in ("metrics.token", "security.secret_key", "security.client_api_keys", "database.url"):
        assert name in data["settings_set"]
    assert "sessions.idle_timeout_seconds" not in data["settings_set"]  # left at its default
    for secret in (METRICS_TOKEN, SECRET_KEY, CLIENT_KEY, migrated_database):
        assert secret not in response.text


async def test_diagnostics_report_migrations_and_queues(diagnosed):
    admin = await signed_in_with_global_role(diagnosed, "PlatformAdmin")

    data = (await admin.client.get("/api/v1/system/diagnostics")).json()["data"]

    database = diagnosed.state.settings.database
    shipped = shipped_migrations(Path(migrations_location(database)) / "models")
    migrations = data["migrations"]
    assert migrations["dialect"] == database.dialect
    assert migrations["available"] == shipped and shipped[0].startswith("0_")
    assert migrations["applied"] == shipped
    assert (migrations["pending"], migrations["up_to_date"]) == ([], True)
    queues = data["queues"]
    assert queues["outbox"]["depth"] >= 0
    assert queues["broker"]["kind"] == "redis"
    assert set(queues["broker"]["depths"]) >= {"email", "email.DQ", "email.XQ"}


def test_shipped_migrations_are_in_number_order(tmp_path):
    for name in ("10_b.py", "2_a.py", "0_init.py", "__init__.py", "notes.txt"):
        (tmp_path / name).write_text("")
    assert shipped_migrations(tmp_path) == ["0_init", "2_a", "10_b"]


def test_a_shipped_migration_not_yet_applied_is_pending():
    state = migration_state("postgres", available=["0_init", "1_more", "2_last"], recorded=["0_init.py"])
    assert (state.applied, state.pending, state.up_to_date) == (["0_init"], ["1_more", "2_last"], False)
