"""Real parts for the worker tests: a Redis database of their own, an SMTP server
(aiosmtpd) that keeps what it receives, and a Dramatiq worker run until idle."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dramatiq
import pytest
import redis

# The skip-or-fail rule (skip locally, fail when CI=true) and the Redis db of these
# tests (one of their own, flushed by each test that uses it) live in tests/services.py.
from tests.services import TASKS_REDIS_URL, require_redis

JOIN_TIMEOUT_MS = 10_000


@pytest.fixture
def redis_db() -> Iterator[redis.Redis]:
    require_redis()
    client = redis.Redis.from_url(TASKS_REDIS_URL)
    client.flushdb()
    yield client
    client.close()


@contextmanager
def running_worker(broker: dramatiq.Broker) -> Iterator[dramatiq.Worker]:
    worker = dramatiq.Worker(broker, worker_timeout=100)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


def run_until_idle(broker: dramatiq.Broker, queue: str = "email") -> None:
    """Process everything enqueued so far, retries included, then stop the worker."""
    with running_worker(broker) as worker:
        broker.join(queue, timeout=JOIN_TIMEOUT_MS)
        worker.join()
