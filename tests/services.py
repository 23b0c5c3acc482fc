"""Which real services the suite can reach, what to do when one is missing, and which
database and Redis dbs this test process uses.

Locally a missing PostgreSQL or Redis skips the tests that need it (named in the
summary); under CI (CI=true) a missing service fails them instead.

Under pytest-xdist each worker (gw0, gw1, ...) gets a PostgreSQL database and Redis
dbs of its own, derived from the configured ones, so workers never see each other's rows.
"""

from __future__ import annotations

import os
import socket
from functools import cache
from urllib.parse import urlsplit, urlunsplit

import pytest

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "" when the suite runs in one process
WORKER_NUMBER = int(WORKER.removeprefix("gw")) if WORKER else 0
# each worker takes this many consecutive Redis dbs: the app's and the task tests'
REDIS_DBS_PER_WORKER = 2


def _postgres_for_worker(url: str) -> str:
    if not WORKER:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path}_{WORKER}"))


def _redis_for_worker(url: str) -> str:
    parts = urlsplit(url)
    database = int(parts.path.lstrip("/") or 0) + REDIS_DBS_PER_WORKER * WORKER_NUMBER
    return urlunsplit(parts._replace(path=f"/{database}"))


POSTGRES_URL = _postgres_for_worker(
    os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
)
# the defaults leave room for three workers below Redis's 16 dbs
REDIS_URL = _redis_for_worker(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/10"))
TASKS_REDIS_URL = _redis_for_worker(os.environ.get("TEST_TASKS_REDIS_URL", "redis://127.0.0.1:6379/11"))


@cache
def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _require(name: str, host: str, port: int) -> None:
    if _reachable(host, port):
        return
    message = f"{name} is not reachable at {host}:{port}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: a missing service is a failure)")
    pytest.skip(f"{message}: skipped")


def require_postgres() -> None:
    _require("PostgreSQL", "127.0.0.1", 5432)


def require_redis() -> None:
    _require("Redis", "127.0.0.1", 6379)
