"""Several processes on one host, as the Procfile starts them, with one metrics directory:
any API process's /api/metrics sums every process's counts, the worker's included, and
every process logs JSON lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import CLIENT_KEY
from tests.deployment import Process, deployment, ready
from tests.factories import PASSWORD
from tests.mail import SmtpServer
from tests.system.test_metrics import samples, value

pytestmark = [pytest.mark.parametrize("database_url", ["postgres"], indirect=True), pytest.mark.timeout(90)]


@pytest.fixture
def host(
    migrated_database: str, redis_url: str, smtp_server: SmtpServer, tmp_path: Path
) -> Iterator[dict[str, Process]]:
    """api-a, api-b and a worker sharing PROMETHEUS_MULTIPROC_DIR, wiped before they start;
    each process's log is its standard error, where every process logs."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    with deployment(
        tmp_path,
        database_url=migrated_database,
        redis_url=redis_url,
        smtp_url=smtp_server.url,
        separate_stdout=True,
        environment={"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)},
    ) as processes:
        yield processes


async def test_two_api_processes_and_a_worker_report_summed_counts(
    host: dict[str, Process], smtp_server: SmtpServer
):
    a_url, b_url = await ready(host["api-a"]), await ready(host["api-b"])
    live = {"method": "GET", "route": "/api/health/live", "status": "200"}
    async with (
        httpx.AsyncClient(base_url=a_url, timeout=10) as a,
        httpx.AsyncClient(base_url=b_url, timeout=10) as b,
    ):
        for _ in range(3):
            assert (await a.get("/api/health/live")).status_code == 200
        for _ in range(4):
            assert (await b.get("/api/health/live")).status_code == 200
        # an email the worker process sends, counted in its own file
        email = "ada@example.com"
        signed_up = await a.post(
            "/api/v1/auth/sign-up",
            headers={"X-Client-Key": CLIENT_KEY},
            json={"name": "Ada", "nickname": "ada", "email": email, "password": PASSWORD},
        )
        assert signed_up.status_code == 201, signed_up.text
        await smtp_server.inbox.wait_for(email, "confirm your email", timeout=30)

        from_a = samples((await a.get("/api/metrics")).text)
        from_b = samples((await b.get("/api/metrics")).text)

    assert value(from_a, "tandem_http_requests_total", **live) == 7
    assert value(from_b, "tandem_http_requests_total", **live) == 7
    assert value(from_a, "tandem_emails_total", outcome="sent") >= 1

    for process in host.values():
        lines = [line for line in process.log.read_text().splitlines() if line.strip()]
        assert lines, f"{process.name} logged nothing"
        parsed = [json.loads(line) for line in lines]  # every line is one JSON object
        assert all({"time", "level", "logger", "message"} <= line.keys() for line in parsed)
    access = [
        json.loads(line) for line in host["api-a"].log.read_text().splitlines() if '"tandem.access"' in line
    ]
    assert access and all("request_id" in line for line in access)
