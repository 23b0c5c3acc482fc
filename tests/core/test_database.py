"""The PostgreSQL pool: no reset query on release, and still no transaction left open."""

from __future__ import annotations

import pytest
from tortoise import connections

from app.core.database import PooledConnection
from models import Organization
from tests.services import POSTGRES_URL


@pytest.fixture
def database_url():  # type: ignore[no-untyped-def]
    from tests.services import require_postgres

    require_postgres()
    return POSTGRES_URL


async def pool():  # type: ignore[no-untyped-def]
    await Organization.all().count()  # Tortoise opens its pool on first use
    return connections.get("default")._pool


async def test_pooled_connections_skip_the_reset_query(server):
    pool_ = await pool()
    async with pool_.acquire() as connection:
        assert isinstance(connection, PooledConnection)
        assert connection.get_reset_query() == ""


async def test_a_transaction_left_open_is_rolled_back_when_its_connection_is_released(server):
    """What the skipped reset query never did: asyncpg still rolls back on release, so a
    connection cannot carry one request's uncommitted rows into another's."""
    pool_ = await pool()
    connection = await pool_.acquire()
    transaction = connection.transaction()
    await transaction.start()
    await connection.execute(
        "INSERT INTO organizations (id, created_at, updated_at, name, slug, plan, billing_status) "
        "VALUES (gen_random_uuid(), now(), now(), 'Left open', 'left-open', 'free', 'none')"
    )
    await pool_.release(connection)

    assert not await Organization.filter(slug="left-open").exists()
    async with pool_.acquire() as again:
        left_open = await again.fetchval(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND state LIKE 'idle in transaction%'"
        )
    assert left_open == 0
