"""Nothing assumes one process (ARCHITECTURE.md, "Growing past one machine"): two API
processes and a worker process, started as an operator would start them, share one
PostgreSQL database and one Redis."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import CLIENT_KEY
from tests.deployment import Process, logs, ready
from tests.deployment import deployment as running
from tests.factories import PASSWORD
from tests.mail import SmtpServer, token_in
from tests.problems import assert_problem

pytestmark = [pytest.mark.parametrize("database_url", ["postgres"], indirect=True), pytest.mark.timeout(90)]


@pytest.fixture
def deployment(
    migrated_database: str, redis_url: str, smtp_server: SmtpServer, tmp_path: Path
) -> Iterator[dict[str, Process]]:
    """api-a and api-b (python server.py run) and a worker (python server.py worker)."""
    with running(
        tmp_path, database_url=migrated_database, redis_url=redis_url, smtp_url=smtp_server.url
    ) as processes:
        yield processes


def remaining(response: httpx.Response) -> int:
    """`r` of the `RateLimit` header: requests left in the account's shared `auth` budget."""
    return int(response.headers["ratelimit"].split("r=")[1].split(";")[0])


async def test_two_api_processes_and_a_worker_share_one_database_and_redis(
    deployment: dict[str, Process], smtp_server: SmtpServer
):
    a_url, b_url = await ready(deployment["api-a"]), await ready(deployment["api-b"])
    key = {"X-Client-Key": CLIENT_KEY}
    async with (
        httpx.AsyncClient(base_url=a_url, headers=key, timeout=10) as a,
        httpx.AsyncClient(base_url=b_url, headers=key, timeout=10) as b,
    ):
        email = "ada@example.com"
        signed_up = await a.post(
            "/api/v1/auth/sign-up",
            json={"name": "Ada", "nickname": "ada", "email": email, "password": PASSWORD},
        )
        assert signed_up.status_code == 201, signed_up.text

        # the worker process, not an API process, delivers the verification email
        try:
            message = await smtp_server.inbox.wait_for(email, "confirm your email", timeout=30)
        except AssertionError as missing:
            raise AssertionError(f"{missing}\n{logs(deployment)}") from None
        verified = await b.post("/api/v1/auth/verify-email", json={"token": token_in(message)})
        assert verified.status_code == 200, verified.text

        # one session, served by both processes
        signed_in = await b.post("/api/v1/auth/sign-in", json={"email": email, "password": PASSWORD})
        assert signed_in.status_code == 200, signed_in.text
        # one per-account budget: A's sign-up and B's sign-in drew from it (verification
        # counts under the `token` policy instead)
        assert remaining(signed_in) == remaining(signed_up) - 1
        session = {"Cookie": f"tandem_session={signed_in.cookies['tandem_session']}"}
        me = await a.get("/api/v1/me", headers=session)
        assert me.status_code == 200 and me.json()["data"]["email_verified"] is True

        # signing out on B ends the session A has cached: the revocation reaches A over
        # Redis pub/sub, within milliseconds; a loaded CI machine gets a second
        assert (await b.post("/api/v1/auth/sign-out", headers=session)).status_code == 200
        deadline = time.monotonic() + 1
        while (after := await a.get("/api/v1/me", headers=session)).status_code == 200:
            assert time.monotonic() < deadline, "A still serves a session B revoked"
            await asyncio.sleep(0.02)
        assert_problem(after, 401, "UNAUTHENTICATED")

        # the shared auth budget runs out on whichever process is asked next
        attempts = [a, b] * 5
        for client in attempts:
            response = await client.post(
                "/api/v1/auth/sign-in", json={"email": email, "password": "wrong-password"}
            )
            if response.status_code == 429:
                break
        assert_problem(response, 429, "RATE_LIMITED")
        assert int(response.headers["retry-after"]) > 0
