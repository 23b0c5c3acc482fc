"""The `tenant` rate limit (SPEC §1: per organization, summed over its users) holds across
API processes: two real `server.py run` processes share it through Redis."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import CLIENT_KEY, ROOT
from tests.deployment import Process, ready
from tests.deployment import deployment as running
from tests.factories import organization_with, signed_in_user
from tests.mail import SmtpServer
from tests.problems import assert_problem

pytestmark = [pytest.mark.parametrize("database_url", ["postgres"], indirect=True), pytest.mark.timeout(90)]

TENANT_LIMIT = 6
CURRENT = "/api/v1/organizations/current"


@pytest.fixture
def deployment(
    migrated_database: str, redis_url: str, smtp_server: SmtpServer, tmp_path: Path
) -> Iterator[dict[str, Process]]:
    """api-a and api-b with a small tenant allowance: the project's config.toml but for
    that one line, named by TANDEM_CONFIG as an operator would."""
    config, replaced = re.subn(
        r"(?m)^tenant = .*$",
        f"tenant = {{ limit = {TENANT_LIMIT}, period_seconds = 60 }}",
        (ROOT / "config.toml").read_text(),
    )
    assert replaced == 1
    (tmp_path / "config.toml").write_text(config)
    with running(
        tmp_path,
        database_url=migrated_database,
        redis_url=redis_url,
        smtp_url=smtp_server.url,
        environment={"TANDEM_CONFIG": str(tmp_path / "config.toml")},
    ) as processes:
        yield processes


def on(url: str, cookie: str, organization_id: object) -> httpx.AsyncClient:
    headers = {
        "X-Client-Key": CLIENT_KEY,
        "X-Organization-Id": str(organization_id),
        "Cookie": f"tandem_session={cookie}",
    }
    return httpx.AsyncClient(base_url=url, headers=headers, timeout=10)


async def test_one_organizations_users_share_its_allowance_over_both_processes(
    deployment: dict[str, Process], server
):
    a_url, b_url = await ready(deployment["api-a"]), await ready(deployment["api-b"])
    # users and organizations made through this process's app, on the same database
    ada, bob, cy = [await signed_in_user(server) for _ in range(3)]
    ours = await organization_with((ada.id, "Coach"), (bob.id, "Teacher"))
    theirs = await organization_with((cy.id, "Coach"))
    clients = [
        on(a_url, ada.cookie, ours.id),
        on(b_url, bob.cookie, ours.id),
        on(b_url, ada.cookie, ours.id),
        on(a_url, bob.cookie, ours.id),
    ]
    other_a, other_b = on(a_url, cy.cookie, theirs.id), on(b_url, cy.cookie, theirs.id)
    try:
        # two users, two processes: each process and each user sees only part of the
        # traffic, and neither alone is near the limit
        for number in range(TENANT_LIMIT):
            response = await clients[number % 4].get(CURRENT)
            assert response.status_code == 200, response.text
            assert response.headers["ratelimit"].startswith('"tenant";r=')
        for client in clients:
            refused = assert_problem(await client.get(CURRENT), 429, "RATE_LIMITED")
            assert refused["status"] == 429
        last = await clients[0].get(CURRENT)
        assert last.headers["ratelimit-policy"] == f'"tenant";q={TENANT_LIMIT};w=60'
        assert int(last.headers["retry-after"]) > 0

        # another organization's allowance is its own, on either process
        for client in (other_a, other_b):
            response = await client.get(CURRENT)
            assert response.status_code == 200, response.text
            assert response.json()["data"]["organization"]["id"] == str(theirs.id)
    finally:
        for client in (*clients, other_a, other_b):
            await client.aclose()
