"""send_email through a real Redis broker and worker to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import json
import uuid
from pathlib import Path
from typing import Any

import redis

from tasks.broker import configure_broker, queue_depths, start_in_process_worker, stop_worker
from tasks.email import send_email
from tests.mail import SmtpServer
from tests.redis_process import free_port
from tests.tasks.conftest import TASKS_REDIS_URL, run_until_idle


def payload(**fields: Any) -> dict[str, Any]:
    return {
        "to": "ada@example.com",
        "subject": "Welcome",
        "text": "Hello Ada",
        "message_id": uuid.uuid4().hex,
        **fields,
    }


def smtp_settings(make_settings, smtp_url: str, **broker: Any):
    return make_settings(
        redis={"url": TASKS_REDIS_URL},
        broker={"max_retries": 0, "min_backoff_ms": 10, "max_backoff_ms": 50, **broker},
        email={"backend": "smtp", "smtp_url": smtp_url, "timeout_seconds": 2},
    )


def dead_letters(client: redis.Redis) -> list[dict[str, Any]]:
    """What `redis-cli ZRANGE tandem:email.XQ 0 -1` / `HGET tandem:email.XQ.msgs` show."""
    ids = client.zrange("tandem:email.XQ", 0, -1)
    return [json.loads(client.hget("tandem:email.XQ.msgs", i)) for i in ids]


def test_send_email_delivers_one_message_over_smtp_through_redis_worker(
    make_settings, redis_db, smtp_server: SmtpServer
):
    broker = configure_broker(smtp_settings(make_settings, smtp_server.url))
    send_email.send(payload(subject="Verify your email", html="<p>Hello <b>Ada</b></p>"))
    run_until_idle(broker)

    [message] = smtp_server.inbox.messages
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "Verify your email"
    assert message.get_body(("plain",)).get_content().strip() == "Hello Ada"
    assert message.get_body(("html",)).get_content().strip() == "<p>Hello <b>Ada</b></p>"


def test_send_email_sends_once_when_the_same_message_is_enqueued_twice(
    make_settings, redis_db, smtp_server: SmtpServer
):
    # retries allowed: the copy that finds the other mid-send looks again later
    broker = configure_broker(smtp_settings(make_settings, smtp_server.url, max_retries=5))
    once = payload()
    send_email.send(once)
    send_email.send(once)
    run_until_idle(broker)

    assert len(smtp_server.inbox.messages) == 1
    assert dead_letters(redis_db) == []


def test_send_email_skips_a_message_redelivered_after_it_was_sent(
    make_settings, redis_db, smtp_server: SmtpServer
):
    broker = configure_broker(smtp_settings(make_settings, smtp_server.url))
    once = payload()
    send_email.send(once)
    run_until_idle(broker)
    send_email.send(once)  # e.g. the outbox relay re-publishing after a crash
    run_until_idle(broker)

    assert len(smtp_server.inbox.messages) == 1
    key = f"tandem:email-sent:{once['message_id']}"
    assert redis_db.get(key) == b"sent"
    assert 2 * 24 * 3600 < redis_db.ttl(key) <= 3 * 24 * 3600


def test_send_email_sends_once_the_lease_of_a_worker_killed_mid_send_expires(
    make_settings, redis_db, smtp_server: SmtpServer
):
    message = payload()
    # what a worker killed while sending leaves behind: its lease, expiring on its own
    redis_db.set(f"tandem:email-sent:{message['message_id']}", "dead-worker", px=300)
    broker = configure_broker(smtp_settings(make_settings, smtp_server.url, max_retries=40))
    send_email.send(message)
    run_until_idle(broker)

    assert len(smtp_server.inbox.messages) == 1
    assert dead_letters(redis_db) == []


def test_send_email_retries_and_sends_once_after_a_temporary_smtp_failure(
    make_settings, redis_db, smtp_server: SmtpServer
):
    smtp_server.inbox.refuse = 2
    broker = configure_broker(smtp_settings(make_settings, smtp_server.url, max_retries=3))
    send_email.send(payload())
    run_until_idle(broker)

    assert len(smtp_server.inbox.messages) == 1
    assert dead_letters(redis_db) == []


def test_send_email_dead_letters_after_its_retries_when_smtp_is_down(make_settings, redis_db):
    nobody_listens = f"smtp://127.0.0.1:{free_port()}"
    broker = configure_broker(smtp_settings(make_settings, nobody_listens, max_retries=1))
    message = payload()
    send_email.send(message)
    run_until_idle(broker)

    [dead] = dead_letters(redis_db)
    assert dead["args"] == [message]
    assert dead["options"]["retries"] == 1  # one retry after the first attempt
    assert queue_depths(broker) == {"email": 0, "email.DQ": 0, "email.XQ": 1}
    assert redis_db.get(f"tandem:email-sent:{message['message_id']}") is None


def test_send_email_dead_letters_an_invalid_payload_without_retrying(
    make_settings, redis_db, smtp_server: SmtpServer
):
    broker = configure_broker(smtp_settings(make_settings, smtp_server.url, max_retries=5))
    send_email.send(payload(subject="Hi\r\nBcc: everyone@example.com"))
    run_until_idle(broker)

    [dead] = dead_letters(redis_db)
    assert "retries" not in dead["options"]
    assert smtp_server.inbox.messages == []


def test_send_email_sends_once_without_redis_when_enqueued_twice(make_settings, smtp_server):
    # no Redis at all: in-process broker and worker, sent ids kept in this process
    settings = make_settings(
        broker={"max_retries": 5, "min_backoff_ms": 10, "max_backoff_ms": 50},
        email={"backend": "smtp", "smtp_url": smtp_server.url, "timeout_seconds": 2},
    )
    broker = configure_broker(settings)
    once = payload()
    worker = start_in_process_worker(broker)
    try:
        send_email.send(once)
        send_email.send(once)
        broker.join("email", fail_fast=True)
        worker.join()
        send_email.send(once)  # and a redelivery after it was sent
        broker.join("email", fail_fast=True)
        worker.join()
    finally:
        stop_worker(worker)

    assert len(smtp_server.inbox.messages) == 1


def test_smtp_mailer_logs_in_with_the_credentials_in_the_url(
    make_settings, redis_db, smtp_server: SmtpServer
):
    url = smtp_server.url.replace("smtp://", "smtp://mailer%40tandem:p%40ss%3Aword@")
    broker = configure_broker(smtp_settings(make_settings, url))
    send_email.send(payload())
    run_until_idle(broker)

    assert smtp_server.inbox.logins == [("mailer@tandem", "p@ss:word")]
    assert len(smtp_server.inbox.messages) == 1


def test_folder_backend_writes_one_eml_that_parses_back(make_settings, tmp_path: Path):
    folder = tmp_path / "outbox"
    broker = configure_broker(make_settings(email={"backend": "folder", "folder": str(folder)}))
    message = payload(html="<p>Hello Ada</p>")
    worker = start_in_process_worker(broker)
    try:
        send_email.send(message)
        send_email.send(message)  # a redelivery: the file already records it
        broker.join("email", fail_fast=True)
        worker.join()
    finally:
        stop_worker(worker)

    assert sorted(path.name for path in folder.iterdir()) == [f"{message['message_id']}.eml"]
    raw = (folder / f"{message['message_id']}.eml").read_bytes()
    assert b"\r\n" in raw  # RFC 5322 line ends
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["To"] == "ada@example.com"
    assert parsed["Subject"] == "Welcome"
    assert parsed["Message-ID"] == f"<{message['message_id']}@tandem.localhost>"
    assert parsed.get_body(("plain",)).get_content().strip() == "Hello Ada"
