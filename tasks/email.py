"""The send_email actor: idempotent, so a retried or redelivered message never sends twice.

`middleware(settings)` chooses the mailer and the record of sent ids for one broker;
tasks.broker.configure_broker adds it to each broker it builds, so importing this module
reads nothing and connects nowhere, and two brokers in one process (two apps) each send
with their own.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.stub import StubBroker

from app.core.settings import Settings
from tasks.mailers import FolderMailer, InvalidEmail, Mailer, build_message, mailer_from_settings
from tasks.sent_ledger import (
    FolderSentLedger,
    LocalSentLedger,
    RedisSentLedger,
    SentLedger,
)

LEDGER_SOCKET_TIMEOUT_SECONDS = 5  # a worker-side call; a failure is retried, never hangs


@dataclass(frozen=True)
class Delivery:
    mailer: Mailer
    ledger: SentLedger
    sender: str


# the delivery of the broker whose worker thread runs the current message
_running_delivery: ContextVar[Delivery | None] = ContextVar("tandem_delivery", default=None)


class DeliveryMiddleware(dramatiq.Middleware):
    """Hands send_email the delivery of the broker that runs it."""

    def __init__(self, delivery: Delivery) -> None:
        self.delivery = delivery

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        _running_delivery.set(self.delivery)

    def after_process_message(self, broker: dramatiq.Broker, message: Any, **outcome: Any) -> None:
        _running_delivery.set(None)

    def after_skip_message(self, broker: dramatiq.Broker, message: Any) -> None:
        _running_delivery.set(None)


def middleware(settings: Settings) -> list[dramatiq.Middleware]:
    """What this module's actors need on a broker: the mailer and the record of sent ids."""
    mailer = mailer_from_settings(settings.email)
    # A lease outlives the longest send: the time limit interrupts Python code, and a
    # blocking SMTP call returns within its socket timeout.
    lease_ms = settings.broker.time_limit_ms + 2 * int(settings.email.timeout_seconds * 1000)
    # the Redis we were given, else the broker's when it is one: a record all workers share
    broker_url = settings.broker_url
    redis_url = settings.redis.url or (broker_url if broker_url.startswith("redis") else "")
    ledger: SentLedger
    if isinstance(mailer, FolderMailer):
        ledger = FolderSentLedger(mailer)
    elif redis_url:
        client = redis.Redis.from_url(
            redis_url,
            socket_timeout=LEDGER_SOCKET_TIMEOUT_SECONDS,
            socket_connect_timeout=LEDGER_SOCKET_TIMEOUT_SECONDS,
        )
        ledger = RedisSentLedger(client=client, lease_ms=lease_ms)
    else:
        ledger = LocalSentLedger(lease_ms=lease_ms)
    return [DeliveryMiddleware(Delivery(mailer=mailer, ledger=ledger, sender=settings.email.from_address))]


def _current() -> Delivery:
    delivery = _running_delivery.get()
    if delivery is None:
        raise RuntimeError("send_email runs only on a broker built by tasks.broker.configure_broker")
    return delivery


# Declared on a broker of its own, then re-bound to the configured broker by
# tasks.broker.configure_broker: importing this module never picks a global broker.
_UNBOUND = StubBroker()


# max_retries, min_backoff/max_backoff (ms) and time_limit (ms) are not set here: the
# broker's Retries and TimeLimit middleware take them from settings.broker.
@dramatiq.actor(
    broker=_UNBOUND,
    queue_name="email",
    throws=(InvalidEmail,),  # a malformed payload goes to the dead letters without retries
)
def send_email(payload: dict[str, Any]) -> None:
    """payload: to, subject, text, optional html, message_id (ours, unique per email)."""
    delivery = _current()
    message = build_message(payload, sender=delivery.sender)
    message_id = payload["message_id"]
    token = uuid.uuid4().hex
    claim = delivery.ledger.claim(message_id, token)
    if claim == "sent":
        return
    if claim == "busy":  # another worker is sending it, or died doing so: look again later
        raise dramatiq.Retry(f"email {message_id} is being sent by another worker")
    try:
        delivery.mailer.send(message, message_id=message_id)
    except BaseException:  # TimeLimitExceeded and Shutdown are BaseExceptions too
        delivery.ledger.release(message_id, token)  # so that the retry may send
        raise
    # Should this fail, the lease stays until it expires: a retry sends again only then.
    delivery.ledger.mark_sent(message_id)
