"""The send_email actor: idempotent, so retries and redelivery never send twice."""

from __future__ import annotations

from typing import Any

import dramatiq
from dramatiq.brokers.stub import StubBroker

from tasks import runtime
from tasks.mailers import build_message

# Actors are declared against a placeholder and re-bound to the configured broker by
# tasks.broker.configure_broker, so importing this module never connects anywhere.
_PLACEHOLDER = StubBroker()


# No max_retries/time_limit here on purpose: the broker's Retries and TimeLimit
# middleware take them from settings (an explicit None would mean "retry forever").
@dramatiq.actor(broker=_PLACEHOLDER, queue_name="email")
def send_email(payload: dict[str, Any]) -> None:
    """payload: to, subject, text, optional html, message_id (unique per email)."""
    current = runtime.current()
    message_id = payload["message_id"]
    if current.mailer.already_sent(message_id) or not current.ledger.claim(message_id):
        return
    try:
        current.mailer.send(build_message(payload, sender=runtime.sender()), message_id=message_id)
    except Exception:
        current.ledger.release(message_id)
        raise  # Dramatiq retries with backoff, then dead-letters
    current.ledger.mark_sent(message_id)


ACTORS = (send_email,)
