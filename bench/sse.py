"""Live events benchmark (issue 12): 1,000 Server-Sent Event streams held on one API
process, changes committed on a second one.

    .venv/bin/python bench/sse.py [--streams 1000] [--changes 20]

Starts two PostgreSQL- and Redis-backed Tandem processes (`server.py run`, production
settings, as bench/run.py starts them), opens the streams on A from this process with a
lean client (raw connections on uvloop, one asyncio protocol each: one request written,
`data:` lines picked out of what arrives; a reader task per stream made this process the
slowest part of what was measured), then creates invites through B one after another.
Reports:

- `sse_kib_per_stream`: A's resident memory (VmRSS) with the streams open, less before,
  per stream (after a warm-up of a few streams opened and closed);
- `sse_fanout_p99_ms`: the 99th percentile, over every stream and change, of the time
  from B's answer to the committing request (the commit and the publication to Redis
  happen before it answers) to the event's last byte read on a stream (target < 100 ms).

`measure(...)` returns that dict for bench/run.py; run alone, this prints it as a JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
# run alone, this module is __main__: bench/run.py's `import sse` then finds it rather than
# importing it a second time (which would import run.py half-built, a circular import)
sys.modules.setdefault("sse", sys.modules[__name__])
import run  # bench/run.py, beside this script: servers, config, requests
import seed  # bench/seed.py

ROOT = run.ROOT


def raise_open_files_limit() -> None:
    """Each stream is a socket here and in the server (which inherits the limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise SystemExit(f"bench: no VmRSS for {pid}")


class Tally:
    """How many streams have read each event; wakes the waiter once all have."""

    def __init__(self, streams: int) -> None:
        self._streams = streams
        self._counts: dict[str, int] = {}
        self._all_read: dict[str, asyncio.Event] = {}

    def count(self, invite_id: str) -> None:
        self._counts[invite_id] = self._counts.get(invite_id, 0) + 1
        if self._counts[invite_id] == self._streams:
            self.event(invite_id).set()

    def event(self, invite_id: str) -> asyncio.Event:
        return self._all_read.setdefault(invite_id, asyncio.Event())

    def missing(self, invite_id: str) -> int:
        return self._streams - self._counts.get(invite_id, 0)


class StreamClient(asyncio.Protocol):
    """One SSE stream on a raw connection: the invite ids it has seen, and when its bytes
    were read. A protocol (no reader task, no line reader) on uvloop like the server's:
    1,000 streams read in this one process should cost the measure as little as they can."""

    def __init__(self, tally: Tally) -> None:
        self.arrived: dict[str, float] = {}
        self._tally = tally
        self._buffer = b""
        self._transport: asyncio.Transport | None = None
        self._status: asyncio.Future[bytes] | None = None

    async def open(self, port: int, headers: dict[str, str]) -> None:
        loop = asyncio.get_running_loop()
        self._status = loop.create_future()
        transport, _ = await loop.create_connection(lambda: self, "127.0.0.1", port)
        lines = ["GET /api/v1/events HTTP/1.1", f"Host: 127.0.0.1:{port}", "Accept: text/event-stream"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        transport.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        status = await self._status
        if b" 200 " not in status:
            raise SystemExit(f"bench: GET /events answered {status!r}")

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        now = time.time()
        self._buffer += data
        assert self._status is not None
        if not self._status.done():
            head, found, self._buffer = self._buffer.partition(b"\r\n\r\n")
            if not found:
                self._buffer = head
                return
            self._status.set_result(head.partition(b"\r\n")[0])
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            # chunked framing lines are not `data:` lines; an event's data is one line
            if line.startswith(b"data: "):
                invite_id = orjson.loads(line[6:])["id"]
                self.arrived[invite_id] = now
                self._tally.count(invite_id)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._status is not None and not self._status.done():
            self._status.set_result(b"connection lost")

    async def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


async def open_streams(count: int, port: int, headers: dict[str, str]) -> tuple[list[StreamClient], Tally]:
    tally = Tally(count)
    streams = [StreamClient(tally) for _ in range(count)]
    for start in range(0, count, 100):  # within the listen backlog
        await asyncio.gather(*(stream.open(port, headers) for stream in streams[start : start + 100]))
    return streams, tally


async def fan_out(
    streams: list[StreamClient],
    tally: Tally,
    *,
    b_url: str,
    organization_id: str,
    headers: dict[str, str],
    changes: int,
) -> list[float]:
    """Milliseconds from B's answer to each stream's reading of each change's event."""
    delays: list[float] = []
    loop = asyncio.get_running_loop()
    for number in range(changes):
        url = f"{b_url}/api/v1/organizations/{organization_id}/invites"
        body = {"email": f"fan-out-{number}-{time.time_ns()}@example.com", "role": "Teacher"}
        made = await loop.run_in_executor(None, run.request, url, body, headers)
        answered = time.time()
        invite_id = made["data"]["id"]
        try:
            await asyncio.wait_for(tally.event(invite_id).wait(), 10)
        except TimeoutError:
            raise SystemExit(f"bench: {tally.missing(invite_id)} streams never got event {number}") from None
        delays += [(stream.arrived[invite_id] - answered) * 1000 for stream in streams]
        await asyncio.sleep(0.05)  # one change at a time
    return delays


def run_on_uvloop(coroutine: Coroutine[Any, Any, dict[str, float]]) -> dict[str, float]:
    """The server's event loop (Sanic runs on uvloop where it is installed)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(
    *, database_url: str, redis_url: str, workdir: Path, streams: int = 1000, changes: int = 20
) -> dict[str, float]:
    """Two servers of its own on `database_url` and `redis_url` (left as they were found,
    but for one organization and one user of its own), stopped before it returns."""
    raise_open_files_limit()
    config = run.bench_config(workdir)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CLIENT_API_KEYS": run.CLIENT_KEY,
        "SECRET_KEY": "bench-secret-" + "s" * 40,
        "TANDEM_CONFIG": str(config),
        "TANDEM__EMAIL__FOLDER": str(workdir / "mail"),
        "TANDEM__LOGGING__FORMAT": "json",
        "TANDEM__SERVER__ACCESS_LOG": "true",
        "TANDEM__METRICS__ENABLED": "true",
        # one user holds every stream (the bound is per user and process)
        "TANDEM__EVENTS__MAX_STREAMS_PER_USER": str(streams + 10),
    }
    ports = {"a": run.free_port(), "b": run.free_port()}
    log = (workdir / "sse-servers.log").open("w")
    servers: dict[str, subprocess.Popen[bytes]] = {}
    try:
        # one after the other: each migrates the database first, and two at once would race
        for name, port in ports.items():
            servers[name] = subprocess.Popen(
                [run.PYTHON, str(ROOT / "server.py"), "run"],
                cwd=workdir,
                env={**env, "PORT": str(port)},
                stdout=log,
                stderr=log,
            )
            run.wait_for(f"http://127.0.0.1:{port}/api")
        b_url = f"http://127.0.0.1:{ports['b']}"
        key = {"X-Client-Key": run.CLIENT_KEY}
        email = f"sse-{time.time_ns()}@example.com"
        account = {"name": "Streams", "nickname": "streams", "email": email, "password": "bench-password-1"}
        run.request(f"{b_url}/api/v1/auth/sign-up", account, key)
        organization_id = seed.organization(
            database_url, admin_email=email, name=f"SSE {email}", members=0, audit_rows=0
        )
        signed = run.request(
            f"{b_url}/api/v1/auth/sign-in",
            {"email": email, "password": account["password"], "token": True},
            key,
        )
        headers = {
            **key,
            "Authorization": f"Bearer {signed['data']['access_token']}",
            "X-Organization-Id": organization_id,
        }
        return run_on_uvloop(
            _measure(servers["a"].pid, ports["a"], b_url, organization_id, headers, streams, changes)
        )
    finally:
        for server in servers.values():
            run.stop(server)


async def _measure(
    a_pid: int,
    a_port: int,
    b_url: str,
    organization_id: str,
    headers: dict[str, str],
    count: int,
    changes: int,
) -> dict[str, float]:
    warm, warm_tally = await open_streams(20, a_port, headers)
    await fan_out(warm, warm_tally, b_url=b_url, organization_id=organization_id, headers=headers, changes=2)
    for stream in warm:
        await stream.close()
    await asyncio.sleep(0.5)
    before = rss_kib(a_pid)
    streams, tally = await open_streams(count, a_port, headers)
    await asyncio.sleep(0.5)
    after = rss_kib(a_pid)
    delays = await fan_out(
        streams, tally, b_url=b_url, organization_id=organization_id, headers=headers, changes=changes
    )
    for stream in streams:
        await stream.close()
    sys.stdout.write(
        f"sse: {count} streams, A's RSS {before} → {after} KiB; fan-out of {changes} changes: "
        f"p50 {statistics.median(delays):.1f} ms, p99 {percentile(delays, 0.99):.1f} ms, "
        f"max {max(delays):.1f} ms\n"
    )
    return {
        "sse_kib_per_stream": round((after - before) / count, 1),
        "sse_fanout_p99_ms": round(percentile(delays, 0.99), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=20)
    args = parser.parse_args()
    run.reset_database()
    subprocess.run(["redis-cli", "-u", run.REDIS_URL, "flushdb"], check=True, capture_output=True)
    workdir = Path(tempfile.mkdtemp(prefix="tandem-bench-sse-"))
    result = measure(
        database_url=run.POSTGRES_URL,
        redis_url=run.REDIS_URL,
        workdir=workdir,
        streams=args.streams,
        changes=args.changes,
    )
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
