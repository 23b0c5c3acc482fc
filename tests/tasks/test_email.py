"""send_email through a real broker and worker to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import uuid
from pathlib import Path

import dramatiq
import pytest
import redis
from aiosmtpd.controller import Controller

from tasks.broker import broker_is_healthy, configure_broker, start_in_process_worker, stop_worker
from tasks.email import send_email
from tests.redis_process import free_port
from tests.services import REDIS_URL, require_redis


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def redis_broker_settings(make_settings, smtp_server):
    require_redis()
    redis.Redis.from_url(REDIS_URL).flushdb()
    controller, _ = smtp_server
    return make_settings(
        redis={"url": REDIS_URL},
        broker={"max_retries": 0, "min_backoff_ms": 10, "max_backoff_ms": 10},
        email={"backend": "smtp", "smtp_url": f"smtp://127.0.0.1:{controller.port}"},
    )


def payload(**fields) -> dict:
    return {"to": "ada@example.com", "subject": "Welcome", "text": "Hello Ada", "message_id": uuid.uuid4().hex,
            **fields}


def run_worker_until_idle(broker: dramatiq.Broker) -> None:
    worker = dramatiq.Worker(broker, worker_timeout=100)
    worker.start()
    try:
        broker.join("email", timeout=10_000)
        worker.join()
    finally:
        worker.stop()


def test_email_travels_through_redis_broker_and_worker_to_smtp(redis_broker_settings, smtp_server):
    _, inbox = smtp_server
    broker = configure_broker(redis_broker_settings)
    send_email.send(payload(subject="Verify your email", html="<p>Hello Ada</p>"))
    run_worker_until_idle(broker)
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "Verify your email"
    assert "Hello Ada" in message.get_payload(0).get_payload(decode=True).decode()


def test_same_message_delivered_twice_sends_one_email(redis_broker_settings, smtp_server):
    _, inbox = smtp_server
    broker = configure_broker(redis_broker_settings)
    once = payload()
    send_email.send(once)
    send_email.send(once)  # a redelivery: same message id
    run_worker_until_idle(broker)
    assert len(inbox.messages) == 1


def test_smtp_down_dead_letters_the_message_and_sends_nothing(make_settings):
    require_redis()
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    settings = make_settings(
        redis={"url": REDIS_URL}, broker={"max_retries": 0},
        email={"backend": "smtp", "smtp_url": f"smtp://127.0.0.1:{free_port()}", "timeout_seconds": 1},
    )
    broker = configure_broker(settings)
    message_id = uuid.uuid4().hex
    send_email.send(payload(message_id=message_id))
    worker = dramatiq.Worker(broker, worker_timeout=100)
    worker.start()
    try:
        broker.join("email", timeout=10_000)
    finally:
        worker.stop()
    assert client.zcard("tandem:email.XQ") == 1  # kept in the dead-letter queue
    assert client.get(f"tandem:email-sent:{message_id}") is None  # free to be sent on a retry


def test_in_process_worker_writes_eml_files(make_settings, tmp_path: Path):
    settings = make_settings(email={"backend": "folder", "folder": str(tmp_path / "mail")})
    broker = configure_broker(settings)
    worker = start_in_process_worker(broker)
    try:
        message_id = uuid.uuid4().hex
        send_email.send(payload(message_id=message_id))
        broker.join("email")
        worker.join()
    finally:
        stop_worker(worker)
    files = list((tmp_path / "mail").glob("*.eml"))
    assert [file.stem for file in files] == [message_id]
    parsed = email.message_from_bytes(files[0].read_bytes())
    assert parsed["Subject"] == "Welcome"
    assert broker_is_healthy(broker)


def test_broker_health_is_false_quickly_when_redis_is_unreachable(make_settings):
    import time

    settings = make_settings(redis={"url": "redis://127.0.0.1:1/0"})
    broker = configure_broker(settings)
    started = time.monotonic()
    assert broker_is_healthy(broker) is False
    assert time.monotonic() - started < 1.0
