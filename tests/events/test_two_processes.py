"""Fan-out across API processes (SPEC §7): two `python server.py run` processes against one
PostgreSQL database and one Redis; a change made through one reaches a stream held on the
other. And a process stopped while it holds a stream exits at once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import CLIENT_KEY
from tests.deployment import Process, logs, ready
from tests.deployment import deployment as running
from tests.events.sse import open_stream
from tests.factories import PASSWORD
from tests.mail import SmtpServer

pytestmark = [pytest.mark.parametrize("database_url", ["postgres"], indirect=True), pytest.mark.timeout(90)]


@pytest.fixture
def deployment(
    migrated_database: str, redis_url: str, smtp_server: SmtpServer, tmp_path: Path
) -> Iterator[dict[str, Process]]:
    with running(
        tmp_path, database_url=migrated_database, redis_url=redis_url, smtp_url=smtp_server.url
    ) as processes:
        yield processes


async def signed_in_admin(client: httpx.AsyncClient, database_url: str) -> tuple[dict[str, str], str]:
    """An account with an organization of its own: (its session header, the organization id)."""
    account = {"name": "Ada", "nickname": "ada", "email": "ada@example.com", "password": PASSWORD}
    assert (await client.post("/api/v1/auth/sign-up", json=account)).status_code == 201
    signed_in = await client.post(
        "/api/v1/auth/sign-in", json={"email": account["email"], "password": PASSWORD}
    )
    session = {"Cookie": f"tandem_session={signed_in.cookies['tandem_session']}"}
    # verified as the emailed link would (the worker's email is tested in tests/test_scaling.py)
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(
            "UPDATE users SET email_verified_at = now() WHERE email = $1", account["email"]
        )
    finally:
        await connection.close()
    created = await client.post("/api/v1/organizations", json={"name": "Fan-out"}, headers=session)
    assert created.status_code == 201, created.text
    return session, created.json()["data"]["id"]


async def test_an_invite_made_on_one_api_process_reaches_a_stream_held_on_the_other(
    deployment: dict[str, Process], migrated_database: str
):
    a_url, b_url = await ready(deployment["api-a"]), await ready(deployment["api-b"])
    key = {"X-Client-Key": CLIENT_KEY}
    async with (
        httpx.AsyncClient(base_url=a_url, headers=key, timeout=10) as a,
        httpx.AsyncClient(base_url=b_url, headers=key, timeout=10) as b,
    ):
        session, organization_id = await signed_in_admin(a, migrated_database)
        headers = {**session, "X-Organization-Id": organization_id}
        async with open_stream(b, headers=headers) as stream:
            made = await a.post(
                f"/api/v1/organizations/{organization_id}/invites",
                json={"email": "coach@example.com", "role": "Coach"},
                headers=headers,
            )
            assert made.status_code == 201, made.text
            try:
                event = await stream.next(timeout=5)
            except TimeoutError:
                raise AssertionError(f"no event on B's stream\n{logs(deployment)}") from None
            assert event is not None and event.type == "invite.created"
            assert event.data == made.json()["data"]

            # B stops while holding the stream: the stream ends and B exits at once, rather
            # than waiting out Sanic's graceful shut-down (15 s) for a response that never ends
            stopping = time.monotonic()
            deployment["api-b"].popen.terminate()
            assert await stream.events_until_end(timeout=5) == []
            deployment["api-b"].popen.wait(timeout=10)
            assert time.monotonic() - stopping < 5, logs(deployment)
