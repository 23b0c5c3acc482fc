"""Tandem as an operator runs it: two API processes (`python server.py run`) and a worker
(`python server.py worker`) on one host, sharing one database and one Redis."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import CLIENT_KEY, ROOT, SECRET_KEY
from tests.redis_process import free_port

STARTUP_SECONDS = 30


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path  # standard error (and standard output, unless kept apart)
    url: str = ""  # API processes: where they listen

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@contextmanager
def deployment(
    directory: Path,
    *,
    database_url: str,
    redis_url: str,
    smtp_url: str,
    environment: Mapping[str, str] = {},
    separate_stdout: bool = False,
) -> Iterator[dict[str, Process]]:
    """api-a, api-b and worker, started in `directory`, stopped (terminated) on exit.
    `separate_stdout` keeps each process's standard output out of its log (`<name>.out`)."""
    shared = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SMTP_URL": smtp_url,
        "CLIENT_API_KEYS": CLIENT_KEY,
        "SECRET_KEY": SECRET_KEY,
        "HOST": "127.0.0.1",
        "TANDEM__OUTBOX__RELAY_INTERVAL_SECONDS": "0.2",
        **environment,
    }
    processes: dict[str, Process] = {}

    def start(name: str, *arguments: str, port: int | None = None) -> None:
        log = directory / f"{name}.log"
        extra = {"PORT": str(port)} if port else {}
        with log.open("wb") as sink, (directory / f"{name}.out").open("wb") as out:
            popen = subprocess.Popen(
                [sys.executable, str(ROOT / "server.py"), *arguments],
                cwd=directory,
                env={**shared, **extra},
                stdout=out if separate_stdout else sink,
                stderr=sink if separate_stdout else subprocess.STDOUT,
            )
        processes[name] = Process(name, popen, log, f"http://127.0.0.1:{port}" if port else "")

    try:
        start("api-a", "run", port=free_port())
        start("api-b", "run", port=free_port())
        start("worker", "worker", "--processes", "1", "--threads", "2")
        yield processes
    finally:
        for process in processes.values():
            process.popen.terminate()
        for process in processes.values():
            try:
                process.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.popen.kill()


async def ready(process: Process) -> str:
    """The base URL once the process answers /api/health with 200."""
    base = process.url
    deadline = time.monotonic() + STARTUP_SECONDS
    async with httpx.AsyncClient(base_url=base, timeout=2) as client:
        while time.monotonic() < deadline:
            assert process.popen.poll() is None, f"{process.name} exited:\n{process.output()}"
            try:
                if (await client.get("/api/health")).status_code == 200:
                    return base
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"{process.name} not ready in {STARTUP_SECONDS} s:\n{process.output()}")


def logs(processes: dict[str, Process]) -> str:
    return "\n".join(f"--- {p.name}:\n{p.output()}" for p in processes.values())
