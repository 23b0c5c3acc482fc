"""configure_broker, the in-process worker, and the health probe, on real parts."""

from __future__ import annotations

import importlib.util
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Retries, TimeLimit

from app.core.settings import SettingsError
from tasks.broker import broker_is_healthy, configure_broker, start_in_process_worker, stop_worker
from tasks.email import send_email
from tests.tasks.conftest import TASKS_REDIS_URL


def middleware(broker: dramatiq.Broker, kind: type) -> dramatiq.Middleware:
    [found] = [m for m in broker.middleware if isinstance(m, kind)]
    return found


def test_configure_broker_picks_the_in_process_broker_without_a_url(make_settings):
    broker = configure_broker(make_settings())

    assert isinstance(broker, StubBroker)
    assert dramatiq.get_broker() is broker
    assert send_email.broker is broker and "send_email" in broker.actors


def test_configure_broker_picks_redis_for_a_redis_url(make_settings):
    settings = make_settings(broker={"url": TASKS_REDIS_URL, "dead_letter_ttl_ms": 60_000})
    broker = configure_broker(settings)

    assert isinstance(broker, RedisBroker)
    assert broker.namespace == "tandem"
    assert broker.dead_message_ttl == 60_000
    assert send_email.broker is broker


def test_configure_broker_uses_redis_url_when_no_broker_url_is_set(make_settings):
    broker = configure_broker(make_settings(redis={"url": TASKS_REDIS_URL}))

    assert isinstance(broker, RedisBroker)


def test_configure_broker_applies_retry_and_time_limit_settings(make_settings):
    settings = make_settings(
        broker={"max_retries": 0, "min_backoff_ms": 0, "max_backoff_ms": 250, "time_limit_ms": 900}
    )
    broker = configure_broker(settings)

    retries = middleware(broker, Retries)
    assert (retries.max_retries, retries.min_backoff, retries.max_backoff) == (0, 1, 250)
    assert middleware(broker, TimeLimit).time_limit == 900


def test_configure_broker_rejects_an_unknown_scheme(make_settings):
    with pytest.raises(SettingsError, match="broker.url"):
        configure_broker(make_settings(broker={"url": "kafka://127.0.0.1:9092"}))


@pytest.mark.skipif(importlib.util.find_spec("pika") is not None, reason="pika is installed")
def test_configure_broker_names_the_missing_extra_for_amqp_without_pika(make_settings):
    with pytest.raises(SettingsError, match=r"broker.url: .*dramatiq\[rabbitmq\]"):
        configure_broker(make_settings(broker={"url": "amqp://127.0.0.1:5672"}))


def test_in_process_worker_delivers_email_to_the_folder_backend(make_settings, tmp_path: Path):
    folder = tmp_path / "mail"
    broker = configure_broker(make_settings(email={"backend": "folder", "folder": str(folder)}))
    worker = start_in_process_worker(broker)
    try:
        message_id = uuid.uuid4().hex
        send_email.send({"to": "ada@example.com", "subject": "Hi", "text": "Hello", "message_id": message_id})
        broker.join("email", fail_fast=True)
        worker.join()
    finally:
        stop_worker(worker)

    assert [path.name for path in folder.glob("*.eml")] == [f"{message_id}.eml"]


def test_in_process_worker_interrupts_an_actor_past_its_time_limit(make_settings):
    broker = configure_broker(make_settings(broker={"time_limit_ms": 200, "max_retries": 0}))
    finished: list[bool] = []

    @dramatiq.actor(broker=broker, actor_name=f"slow_{uuid.uuid4().hex}", queue_name="slow")
    def slow() -> None:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            time.sleep(0.01)
        finished.append(True)

    worker = start_in_process_worker(broker)
    try:
        slow.send()
        broker.join("slow", fail_fast=False)
        worker.join()
    finally:
        stop_worker(worker)

    assert finished == []
    assert len(broker.dead_letters) == 1


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


@pytest.mark.parametrize("where", ["closed", "hanging", "hanging-with-url-timeout"])
def test_broker_is_healthy_false_within_one_second_when_redis_is_unreachable(
    make_settings, silent_port: int, where: str
):
    url = {
        "closed": "redis://127.0.0.1:1/0",  # nothing listens: connection refused
        "hanging": f"redis://127.0.0.1:{silent_port}/0",
        "hanging-with-url-timeout": f"redis://127.0.0.1:{silent_port}/0?socket_timeout=5",
    }[where]
    broker = configure_broker(make_settings(broker={"url": url}))

    started = time.monotonic()
    healthy = broker_is_healthy(broker)

    assert healthy is False
    assert time.monotonic() - started < 1.0


def test_broker_is_healthy_true_for_a_reachable_redis(make_settings, redis_db):
    broker = configure_broker(make_settings(broker={"url": TASKS_REDIS_URL}))

    assert broker_is_healthy(broker) is True
    assert broker_is_healthy(broker) is True  # the probe's connection is reused


def test_broker_is_healthy_true_for_the_in_process_broker_and_false_before_start(make_settings):
    assert broker_is_healthy(configure_broker(make_settings())) is True
    assert broker_is_healthy(None) is False
