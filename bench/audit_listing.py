"""Audit log listing over a large log: the first page, a page deep in the log reached by
cursor, and the `total_count` every listing pays (SPEC §1 envelope).

    .venv/bin/python bench/audit_listing.py [--rows 100000]

Fills a database of its own (BENCH_AUDIT_POSTGRES_URL, created and migrated here) with
`rows` entries in 20 organizations, then times each query through the service
(app.audit.service.AuditLog), median of 20 runs, and prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg
from tortoise import Tortoise, connections

from app.audit.schemas import AuditEventQuery, PlatformAuditEventQuery
from app.audit.service import AuditLog
from app.core.database import apply_migrations, open_database
from app.core.pagination import Paginator
from app.core.settings import DatabaseSettings, PaginationSettings

URL = os.environ.get("BENCH_AUDIT_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/tandem_bench_audit")
FILL = """
INSERT INTO audit_events (id, created_at, actor_id, organization_id, action, target_type,
                          target_id, request_id, client_ip, changed_fields)
SELECT gen_random_uuid(), now() - (n || ' seconds')::interval, gen_random_uuid(),
       ('00000000-0000-0000-0000-0000000000' || lpad((n % 20)::text, 2, '0'))::uuid,
       'member.role_changed', 'user', n::text, 'bench', '127.0.0.1', '["role"]'::jsonb
FROM generate_series(1, $1) AS n
"""


async def recreate(url: str) -> None:
    parts = urlsplit(url)
    admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    name = parts.path.lstrip("/")
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()


async def timed(call, runs: int = 20) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 2)


async def main(rows: int) -> dict[str, object]:
    await recreate(URL)
    database = DatabaseSettings(url=URL)
    await apply_migrations(database)
    await Tortoise.close_connections()
    await open_database(database)
    raw = await asyncpg.connect(URL)
    await raw.execute(FILL, rows)
    await raw.execute("ANALYZE audit_events")
    await raw.close()
    log = AuditLog(paginator=Paginator(secret_key="b" * 32, settings=PaginationSettings()))
    organization = "00000000-0000-0000-0000-000000000007"

    def platform(cursor: str | None) -> PlatformAuditEventQuery:
        return PlatformAuditEventQuery(limit=200, cursor=cursor)

    def in_organization(cursor: str | None) -> AuditEventQuery:
        return AuditEventQuery(limit=200, cursor=cursor)

    deep = None
    for _ in range(int(rows * 0.9) // 200):  # 90% of the way through the whole log
        page = await log.platform_events(platform(deep))
        deep = page.next_cursor
    org_deep = None
    for _ in range(int(rows / 20 * 0.9) // 200):
        page = await log.organization_events(organization, in_organization(org_deep))  # type: ignore[arg-type]
        org_deep = page.next_cursor
    count_sql = "SELECT COUNT(*) FROM audit_events"
    connection = connections.get("default")
    figures = {
        "rows": rows,
        "platform_first_page_ms": await timed(lambda: log.platform_events(platform(None))),
        "platform_deep_page_ms": await timed(lambda: log.platform_events(platform(deep))),
        "organization_first_page_ms": await timed(
            lambda: log.organization_events(organization, in_organization(None))  # type: ignore[arg-type]
        ),
        "organization_deep_page_ms": await timed(
            lambda: log.organization_events(organization, in_organization(org_deep))  # type: ignore[arg-type]
        ),
        "count_all_ms": await timed(lambda: connection.execute_query(count_sql)),
    }
    await Tortoise.close_connections()
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    print(json.dumps(asyncio.run(main(parser.parse_args().rows))))
