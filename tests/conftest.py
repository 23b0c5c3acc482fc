"""Shared fixtures: settings, a real database per test, a real server over HTTP."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import redis as redis_sync
from sanic import Sanic
from tortoise.backends.base.executor import EXECUTOR_CACHE

from app.capabilities import CAPABILITIES, Capability
from app.core.settings import Settings
from app.core.settings_sources import load_settings
from tests.databases import (
    copy_sqlite,
    empty_postgres,
    migrate_postgres_from_empty,
    migrate_sqlite,
    run_outside_the_test_loop,
)
from tests.live_server import LiveServer, start_server
from tests.services import POSTGRES_URL, REDIS_URL, require_postgres, require_redis

ROOT = Path(__file__).resolve().parents[1]
CLIENT_KEY = "cak_" + "T" * 44
SECOND_CLIENT_KEY = "cak_" + "R" * 44
SECRET_KEY = "test-secret-key-" + "x" * 32
TRUSTED_ORIGIN = "https://app.example.com"
# OWASP's minimum argon2id cost (the lowest settings accept): fast enough for many sign-ups
TEST_PASSWORD_COST = {"time_cost": 2, "memory_cost_kib": 19_456, "parallelism": 1}
if TYPE_CHECKING:
    from tests.mail import SmtpServer

_app_numbers = itertools.count()  # Sanic refuses two live apps of one name
pytest_plugins = ["tests.mail", "tests.logs"]  # smtp_server, captured_log


# For modules whose subject never reaches the database (CORS, the client key, route
# declarations): the app still needs one, but running them twice proves nothing more.
ONE_DATABASE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test that uses the database runs on both supported databases: "sqlite" (each
    test gets a file of its own from `migrated_database`) or this process's PostgreSQL URL."""
    if request.param == "sqlite":
        return "sqlite"
    require_postgres()
    return POSTGRES_URL


@pytest.fixture
def redis_url() -> str:
    require_redis()
    client = redis_sync.Redis.from_url(REDIS_URL)
    client.flushdb()
    client.close()
    return REDIS_URL


@pytest.fixture(scope="session")
def postgres_tables() -> list[str]:
    """Migrates this process's PostgreSQL database once per run, from empty; the tables
    that each test empties (all but aerich's record of what was applied)."""
    require_postgres()
    return run_outside_the_test_loop(migrate_postgres_from_empty(POSTGRES_URL))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per run; each test gets a copy."""
    template = tmp_path_factory.mktemp("sqlite_template") / "tandem.sqlite3"
    run_outside_the_test_loop(migrate_sqlite(template))
    return template


@pytest.fixture
async def migrated_database(database_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database at the newest migration: migrated once per run, emptied per test."""
    # Tortoise caches compiled INSERTs per (connection name, table), not per dialect; a
    # process serves one database in production, but this suite alternates two.
    EXECUTOR_CACHE.clear()
    if database_url == "sqlite":
        return copy_sqlite(request.getfixturevalue("sqlite_template"), tmp_path / "tandem.sqlite3")
    await empty_postgres(database_url, request.getfixturevalue("postgres_tables"))
    return database_url


SettingsFactory = Callable[..., Settings]


@pytest.fixture
def make_settings(tmp_path: Path) -> SettingsFactory:
    def build(**sections: dict[str, Any]) -> Settings:
        overrides: dict[str, dict[str, Any]] = {
            "security": {
                "client_api_keys": [CLIENT_KEY, SECOND_CLIENT_KEY],
                "secret_key": SECRET_KEY,
                "trusted_origins": [TRUSTED_ORIGIN],
            },
            "passwords": dict(TEST_PASSWORD_COST),
            "email": {"backend": "folder", "folder": str(tmp_path / "mail")},
            "server": {"access_log": False},
        }
        for section, values in sections.items():
            overrides.setdefault(section, {}).update(values)
        return load_settings(ROOT / "config.toml", environ={}, dotenv_path=None, overrides=overrides)

    return build


# for tests that sign in, confirm, refresh or enter codes many times from one IP or for
# one account; the limiter has tests of its own
ROOMY_AUTH_LIMIT = {
    policy: {"limit": 1000, "period_seconds": 60}
    for policy in ("auth", "auth_ip", "auth_account", "token", "refresh")
}


@pytest.fixture
def settings(
    make_settings: SettingsFactory,
    migrated_database: str,
    redis_url: str,
    request: pytest.FixtureRequest,
) -> Settings:
    """`@pytest.mark.many_sign_ins` lifts the auth, auth_ip, auth_account, token and refresh
    rate limits for a module or test."""
    limits = ROOMY_AUTH_LIMIT if request.node.get_closest_marker("many_sign_ins") else {}
    return make_settings(database={"url": migrated_database}, redis={"url": redis_url}, rate_limits=limits)


AppStarter = Callable[..., AbstractAsyncContextManager[LiveServer]]


@pytest.fixture
def start_app() -> AppStarter:
    """`async with start_app(settings) as live:` a server of the test's own, with settings
    of its choosing, beside or instead of `server`; `prepare=` may add test-only routes,
    `capabilities=` serve other capabilities or mounts than app.capabilities lists.
    Each costs a start (~0.3 s) and a stop (up to ~0.5 s): share `server` where you can."""

    def start(
        settings: Settings,
        *,
        prepare: Callable[[Sanic], None] | None = None,
        capabilities: tuple[Capability, ...] = CAPABILITIES,
    ):
        name = f"tandem_test_{next(_app_numbers)}"
        return start_server(settings, name=name, prepare=prepare, capabilities=capabilities)

    return start


@pytest.fixture
async def server(settings: Settings, start_app: AppStarter) -> AsyncIterator[LiveServer]:
    async with start_app(settings) as live:
        yield live


@pytest.fixture
def mail_settings(
    make_settings: SettingsFactory, migrated_database: str, redis_url: str, smtp_server: SmtpServer
) -> Settings:
    """Emails go through the outbox, the Redis broker and a worker to aiosmtpd."""
    return make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        email={"backend": "smtp", "smtp_url": smtp_server.url},
        broker={"min_backoff_ms": 50, "max_backoff_ms": 500},
        outbox={"relay_interval_seconds": 0.2},
        rate_limits=ROOMY_AUTH_LIMIT,
    )


@pytest.fixture
async def mail_server(mail_settings: Settings, start_app: AppStarter) -> AsyncIterator[LiveServer]:
    """A server whose emails arrive in `smtp_server.inbox` (a worker runs in this process)."""
    from tasks.broker import start_in_process_worker, stop_worker

    async with start_app(mail_settings) as live:
        worker = start_in_process_worker(live.state.broker)
        try:
            yield live
        finally:
            stop_worker(worker, timeout_ms=2_000)
