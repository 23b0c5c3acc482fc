"""The worker's middleware: emails counted by outcome, log lines naming their message."""

from __future__ import annotations

from prometheus_client import REGISTRY

from tasks.broker import configure_broker
from tasks.email import send_email
from tests.logs import CapturedLog
from tests.mail import SmtpServer
from tests.tasks.conftest import run_until_idle
from tests.tasks.test_email import payload, smtp_settings


def emails(outcome: str) -> float:
    return REGISTRY.get_sample_value("tandem_emails_total", {"outcome": outcome}) or 0.0


def test_emails_are_counted_as_sent_and_retried(make_settings, redis_db, smtp_server: SmtpServer):
    broker = configure_broker(smtp_settings(make_settings, smtp_server.url, max_retries=3))
    before = {outcome: emails(outcome) for outcome in ("sent", "retried", "dead_lettered")}
    smtp_server.inbox.refuse = 1  # the first attempt gets 451, the retry goes through
    send_email.send(payload())
    run_until_idle(broker)
    assert len(smtp_server.inbox.messages) == 1
    assert emails("sent") - before["sent"] == 1
    assert emails("retried") - before["retried"] == 1
    assert emails("dead_lettered") == before["dead_lettered"]


def test_an_email_out_of_retries_is_counted_as_dead_lettered(
    make_settings, redis_db, smtp_server: SmtpServer
):
    broker = configure_broker(smtp_settings(make_settings, smtp_server.url, max_retries=0))
    before = emails("dead_lettered")
    smtp_server.inbox.refuse = 1
    send_email.send(payload())
    run_until_idle(broker)
    assert smtp_server.inbox.messages == []
    assert emails("dead_lettered") - before == 1


def test_a_failed_send_is_logged_with_its_message_id_and_actor_but_not_its_address_or_link(
    make_settings, redis_db, smtp_server: SmtpServer, captured_log: CapturedLog
):
    broker = configure_broker(smtp_settings(make_settings, smtp_server.url, max_retries=1))
    smtp_server.inbox.refuse = 1
    message = payload(
        to="grace.hopper@example.com", text="Reset: https://app.example.com/reset?token=tok_SECRET123456"
    )
    sent = send_email.send(message)
    run_until_idle(broker)
    lines = captured_log.lines()
    text = captured_log.text()
    assert "grace.hopper@example.com" not in text
    assert "tok_SECRET123456" not in text
    about_it = [line for line in lines if line["logger"].startswith("dramatiq") and "message_id" in line]
    assert any(line["level"] in {"WARNING", "ERROR"} for line in about_it), text
    assert {line["message_id"] for line in about_it} == {sent.message_id}
    assert {line["actor"] for line in about_it} == {"send_email"}
