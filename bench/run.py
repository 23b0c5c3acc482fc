"""Hot-path benchmark: Tandem beside a bare Sanic route, loaded by wrk on loopback.

    make bench            (or: .venv/bin/python bench/run.py --duration 10)

Starts PostgreSQL-backed, Redis-backed Tandem with production settings (one
process, JSON access log on, metrics on) and a bare Sanic app, signs a user in, then
loads, in turn: the bare route, GET /api, GET /api/v1/me through the whole chain
(client key, session, organization, rate limit: one Redis round trip), and POST
/api/v1/auth/sign-in with the configured argon2 cost (sign-ins per second of one
process), beside the cost of one hash measured here. Every rate limit and the lockout
are raised so that the limiter still runs on every request but never refuses one.
At the end, /api/metrics and the log show that both were on.

Then the lists (issue 11): an organization of 10,000 members with 100,000 audit events
and one of 1,000 with 1,000, written straight into PostgreSQL (bench/seed.py). It loads
GET /organizations/{id}/members?limit=50 and GET /organizations/{id}/audit-events?limit=50
on the large one, and the audit list again from a cursor 90% deep, and the same members
page from a bare Sanic route with one asyncpg query (bench/list_ceiling.py, the ceiling
for any list page on this machine); then a second server
with bench/query_counter.py first in its chain reports the SQL statements per request of
each list, on the large and on the small organization.
Then coaching (issue 12, bench/coaching.py): the bench user coaches 1,000, 10,000 and
100,000 sessions in three organizations; it loads the coach's GET /api/v1/sessions?limit=50
in the 10,000 one and counts its statements in all three; then 32 clients book one
coach's sessions in overlapping slots (bench/booking.py) and the overlapping pairs left
in the database are counted. Last, once these servers have stopped, bench/sse.py holds
1,000 event streams on one process and times a change made on another reaching them.
The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from pathlib import Path

from argon2 import PasswordHasher

sys.path.insert(0, str(Path(__file__).resolve().parent))
import coaching  # bench/coaching.py, beside this script
import seed  # bench/seed.py
import sse  # bench/sse.py

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
CLIENT_KEY = "cak_" + "B" * 44
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/tandem_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(server: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """Terminate, and kill if it has not stopped by `timeout` (never hiding why we stop)."""
    server.terminate()
    try:
        server.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        sys.stderr.write(f"bench: {server.args} did not stop within {timeout} s; killed\n")
        server.kill()
        server.wait()


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"bench: {url} did not come up")


def request(url: str, body: dict, headers: dict[str, str]) -> dict:
    data = json.dumps(body).encode()
    call = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **headers})
    with urllib.request.urlopen(call, timeout=10) as response:
        return json.loads(response.read())


def reset_database() -> None:
    admin = POSTGRES_URL.rsplit("/", 1)[0] + "/postgres"
    name = POSTGRES_URL.rsplit("/", 1)[1]
    for statement in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", admin, "-q", "-c", statement], check=True, capture_output=True)


def get_json(url: str, headers: dict[str, str]) -> tuple[dict, dict[str, str]]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        return json.loads(response.read()), dict(response.headers)


def deep_cursor(url: str, headers: dict[str, str], *, rows: int) -> str:
    """The cursor of the page that starts `rows` rows into the list at `url` (no query)."""
    cursor, walked = None, 0
    while walked < rows:
        body, _ = get_json(f"{url}?limit=200" + (f"&cursor={cursor}" if cursor else ""), headers)
        cursor, walked = body["meta"]["next_cursor"], walked + len(body["data"])
        if cursor is None:
            raise SystemExit(f"bench: {url} ended after {walked} rows")
    return cursor


def statements_per_request(url: str, headers: dict[str, str], rounds: int = 20) -> int:
    """SQL statements one request sends (the counting server's X-Bench-Queries): the most
    common count over `rounds` requests after a first one (which loads the session and
    counts a long list's total in full, then cached: docs/conventions.md). A request now
    and then also records the session's activity (one UPDATE a minute per session)."""
    get_json(url, headers)
    counts = [int(get_json(url, headers)[1]["X-Bench-Queries"]) for _ in range(rounds)]
    return statistics.mode(counts)


def counting_config(directory: Path, config: Path) -> Path:
    """The bench config with the query-counting link first in the chain."""
    text = re.sub(
        r"^chain = \[", 'chain = ["query_counter.QueryCountLink", ', config.read_text(), flags=re.MULTILINE
    )
    path = directory / "counting.toml"
    path.write_text(text)
    return path


def bench_config(directory: Path) -> Path:
    text = (ROOT / "config.toml").read_text()
    # every rate policy ([rate_limits] lines are `name = { limit = …, period_seconds = … }`)
    text = re.sub(
        r"^(\w+) = \{ limit = \d+, period_seconds = [\d.]+ \}",
        r"\1 = { limit = 1000000000, period_seconds = 60 }",
        text,
        flags=re.MULTILINE,
    )
    text = re.sub(r"^(lockout_\w*after_failures) = \d+", r"\1 = 1000000000", text, flags=re.MULTILINE)
    path = directory / "config.toml"
    path.write_text(text)
    return path


def wrk(
    url: str,
    *,
    connections: int,
    duration: int,
    headers: dict[str, str],
    script: Path | None = None,
    refusals_expected: bool = False,
) -> dict[str, float]:
    """`refusals_expected`: 4xx answers are part of the load (booking: mostly 409s)."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency", url]
    for name, value in headers.items():
        command[1:1] = ["-H", f"{name}: {value}"]
    if script is not None:
        command[1:1] = ["-s", str(script)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx and not refusals_expected:
        raise SystemExit(f"bench: {url} answered {non_2xx.group(1)} errors:\n{output}")
    socket_errors = re.search(r"Socket errors:.*", output)
    if socket_errors:
        raise SystemExit(f"bench: {url}: {socket_errors.group(0)}:\n{output}")

    def percentile(label: str) -> float:
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {"rps": rps, "p50_ms": percentile("50"), "p99_ms": percentile("99")}


def sign_in_script(directory: Path, credentials: dict[str, str]) -> Path:
    """A wrk script that POSTs the sign-in body (a cookie session each time)."""
    path = directory / "sign_in.lua"
    path.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = {json.dumps(json.dumps(credentials))}\n"
    )
    return path


def hash_ms(config: Path, rounds: int = 20) -> float:
    """Median milliseconds of one argon2id hash with the configured cost, in this process."""
    with config.open("rb") as handle:
        cost = tomllib.load(handle).get("passwords", {})
    hasher = PasswordHasher(
        time_cost=cost.get("time_cost", 3),
        memory_cost=cost.get("memory_cost_kib", 65_536),
        parallelism=cost.get("parallelism", 4),
    )
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        hasher.hash("bench-password-1")
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def observability(base: str, log_path: Path) -> str:
    """Proof that the figures were taken with JSON access logs and metrics on."""
    with urllib.request.urlopen(f"{base}/api/metrics", timeout=10) as response:
        exposition = response.read().decode()
    counted = re.search(
        r'^tandem_http_requests_total\{method="GET",route="/api/v1/me",status="200"\} ([\d.e+]+)$',
        exposition,
        flags=re.MULTILINE,
    )
    if counted is None:
        raise SystemExit("bench: /api/metrics did not count GET /api/v1/me")
    access_lines = 0
    with log_path.open() as log:
        for line in log:
            if '"tandem.access"' in line:
                json.loads(line)  # a line that is not JSON stops the bench here
                access_lines += 1
    if not access_lines:
        raise SystemExit("bench: the server wrote no JSON access log lines")
    return f"{float(counted.group(1)):.0f} GET /api/v1/me counted in /api/metrics, {access_lines} JSON access lines"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is not installed (apt-get install wrk)")

    reset_database()
    subprocess.run(["redis-cli", "-u", REDIS_URL, "flushdb"], check=True, capture_output=True)
    workdir = Path(tempfile.mkdtemp(prefix="tandem-bench-"))
    tandem_port, bare_port = free_port(), free_port()
    config = bench_config(workdir)
    one_hash_ms = hash_ms(config)  # before the servers start, so nothing competes for the CPU
    env = {
        **os.environ,
        "DATABASE_URL": POSTGRES_URL,
        "REDIS_URL": REDIS_URL,
        "CLIENT_API_KEYS": CLIENT_KEY,
        "SECRET_KEY": "bench-secret-" + "s" * 40,
        "PORT": str(tandem_port),
        "TANDEM_CONFIG": str(config),
        "TANDEM__EMAIL__FOLDER": str(workdir / "mail"),
        # as in production: JSON log lines, one per request, and metrics counted
        "TANDEM__LOGGING__FORMAT": "json",
        "TANDEM__SERVER__ACCESS_LOG": "true",
        "TANDEM__METRICS__ENABLED": "true",
    }
    log = (workdir / "server.log").open("w")
    servers = [
        subprocess.Popen(
            [PYTHON, str(ROOT / "server.py"), "run"], cwd=workdir, env=env, stdout=log, stderr=log
        ),
        subprocess.Popen(
            [PYTHON, str(ROOT / "bench" / "bare_app.py"), str(bare_port)], stdout=log, stderr=log
        ),
    ]
    try:
        base, bare = f"http://127.0.0.1:{tandem_port}", f"http://127.0.0.1:{bare_port}"
        wait_for(f"{base}/api")
        wait_for(f"{bare}/bare")
        key = {"X-Client-Key": CLIENT_KEY}
        account = {
            "name": "Bench",
            "nickname": "bench",
            "email": "bench@example.com",
            "password": "bench-password-1",
        }
        request(f"{base}/api/v1/auth/sign-up", account, key)
        signed = request(
            f"{base}/api/v1/auth/sign-in",
            {"email": account["email"], "password": account["password"], "token": True},
            key,
        )
        bearer = {"Authorization": f"Bearer {signed['data']['access_token']}", **key}

        load = {"connections": args.connections, "duration": args.duration}
        wrk(f"{bare}/bare", headers={}, connections=args.connections, duration=2)  # warm-up
        wrk(f"{base}/api/v1/me", headers=bearer, connections=args.connections, duration=2)
        results = {
            "bare": wrk(f"{bare}/bare", headers={}, **load),
            "api": wrk(f"{base}/api", headers={}, **load),
            "me": wrk(f"{base}/api/v1/me", headers=bearer, **load),
            # few connections: each sign-in holds a hashing thread for a whole hash
            "sign_in": wrk(
                f"{base}/api/v1/auth/sign-in",
                headers=key,
                duration=args.duration,
                connections=4,
                script=sign_in_script(workdir, {"email": account["email"], "password": account["password"]}),
            ),
        }
        observed = observability(base, workdir / "server.log")

        large = seed.organization(
            POSTGRES_URL, admin_email=account["email"], name="Bench large", members=10_000, audit_rows=100_000
        )
        small = seed.organization(
            POSTGRES_URL, admin_email=account["email"], name="Bench small", members=1_000, audit_rows=1_000
        )
        programs = coaching.seed_programs(POSTGRES_URL, coach_email=account["email"])
        seed.analyze(POSTGRES_URL)
        # a new session: its snapshot lists the memberships written above (the API refreshes
        # snapshots when it changes a membership; the seed wrote them behind its back)
        signed = request(
            f"{base}/api/v1/auth/sign-in",
            {"email": account["email"], "password": account["password"], "token": True},
            key,
        )
        bearer = {"Authorization": f"Bearer {signed['data']['access_token']}", **key}
        members = f"{base}/api/v1/organizations/{{}}/members?limit=50"
        audit = f"{base}/api/v1/organizations/{{}}/audit-events?limit=50"
        deep = deep_cursor(audit.format(large).split("?")[0], bearer, rows=90_000)
        wrk(members.format(large), headers=bearer, connections=args.connections, duration=2)  # warm-up
        results |= {
            "members": wrk(members.format(large), headers=bearer, **load),
            "audit": wrk(audit.format(large), headers=bearer, **load),
            "audit_deep": wrk(f"{audit.format(large)}&cursor={deep}", headers=bearer, **load),
        }
        sessions_page = base + coaching.SESSIONS_PAGE
        in_program = {size: {**bearer, "X-Organization-Id": org} for size, org in programs.items()}
        wrk(sessions_page, headers=in_program[10_000], connections=args.connections, duration=2)  # warm-up
        results["sessions"] = wrk(sessions_page, headers=in_program[10_000], **load)

        def sign_up_and_in(email: str) -> dict[str, str]:
            request(
                f"{base}/api/v1/auth/sign-up",
                {**account, "email": email, "nickname": email.split("@")[0][:30]},
                key,
            )
            signed = request(
                f"{base}/api/v1/auth/sign-in",
                {"email": email, "password": account["password"], "token": True},
                key,
            )
            return {"Authorization": f"Bearer {signed['data']['access_token']}"}

        booked = coaching.booking_run(
            url=POSTGRES_URL,
            base=base,
            key=key,
            workdir=workdir,
            sign_up_and_in=sign_up_and_in,
            wrk=wrk,
            connections=args.connections,
            duration=args.duration,
        )
        ceiling_port = free_port()
        servers.append(
            subprocess.Popen(
                [PYTHON, str(ROOT / "bench" / "list_ceiling.py"), str(ceiling_port), POSTGRES_URL],
                stdout=log,
                stderr=log,
            )
        )
        ceiling = f"http://127.0.0.1:{ceiling_port}/members/{large}"
        wait_for(ceiling)
        results["ceiling"] = wrk(ceiling, headers={}, **load)
        counting_port = free_port()
        servers.append(
            subprocess.Popen(
                [PYTHON, str(ROOT / "server.py"), "run"],
                cwd=workdir,
                env={
                    **env,
                    "PORT": str(counting_port),
                    "TANDEM_CONFIG": str(counting_config(workdir, config)),
                    "PYTHONPATH": str(ROOT / "bench"),
                },
                stdout=log,
                stderr=log,
            )
        )
        counting = f"http://127.0.0.1:{counting_port}"
        wait_for(f"{counting}/api")
        counted = {
            f"{name}_queries{suffix}": statements_per_request(
                url.replace(base, counting).format(organization), bearer
            )
            for name, url in (("members", members), ("audit", audit))
            for suffix, organization in (("", large), ("_1k", small))
        }
        counted["audit_deep_queries"] = statements_per_request(
            f"{audit.format(large).replace(base, counting)}&cursor={deep}", bearer
        )
        for size, suffix in ((10_000, ""), (1_000, "_1k"), (100_000, "_100k")):
            counted[f"sessions_queries{suffix}"] = statements_per_request(
                counting + coaching.SESSIONS_PAGE, in_program[size]
            )
    finally:
        for server in servers:
            stop(server)

    # after the others have stopped: it starts two servers of its own
    streams = sse.measure(database_url=POSTGRES_URL, redis_url=REDIS_URL, workdir=workdir)
    for name, result in results.items():
        sys.stdout.write(
            f"{name:10} {result['rps']:9.0f} req/s  p50 {result['p50_ms']:6.2f} ms  "
            f"p99 {result['p99_ms']:6.2f} ms\n"
        )
    summary = {
        "bare_rps": round(results["bare"]["rps"]),
        "api_rps": round(results["api"]["rps"]),
        "me_rps": round(results["me"]["rps"]),
        "me_ratio": round(results["me"]["rps"] / results["bare"]["rps"], 3),
        "me_p50_ms": results["me"]["p50_ms"],
        "me_p99_ms": results["me"]["p99_ms"],
        "sign_in_per_s": round(results["sign_in"]["rps"], 1),
        "sign_in_p50_ms": results["sign_in"]["p50_ms"],
        "hash_ms": round(one_hash_ms, 1),
        "members_ratio": round(results["members"]["rps"] / results["bare"]["rps"], 3),
        "audit_ratio": round(results["audit"]["rps"] / results["bare"]["rps"], 3),
        "audit_deep_ratio": round(results["audit_deep"]["rps"] / results["bare"]["rps"], 3),
        # a bare Sanic route serving the same page with one asyncpg query (bench/list_ceiling.py)
        "list_ceiling_ratio": round(results["ceiling"]["rps"] / results["bare"]["rps"], 3),
        "members_p99_ms": results["members"]["p99_ms"],
        "audit_p99_ms": results["audit"]["p99_ms"],
        "sessions_ratio": round(results["sessions"]["rps"] / results["bare"]["rps"], 3),
        "sessions_p99_ms": results["sessions"]["p99_ms"],
        **counted,
        "booking_rps": round(booked["rps"], 1),
        "booking_p99_ms": booked["p99_ms"],
        "booking_created": booked["created"],
        "double_bookings": booked["double_bookings"],
        **streams,
    }
    sys.stdout.write(f"argon2id hash {one_hash_ms:.1f} ms (median of 20, configured cost)\n")
    sys.stdout.write(f"observability: {observed}\n")
    sys.stdout.write(json.dumps(summary) + "\n")


if __name__ == "__main__":
    main()
