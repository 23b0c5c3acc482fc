"""What actors need at run time (the mailer, the sent-message ledger), set by configure."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import redis

from app.core.settings import Settings
from tasks.mailers import Mailer, mailer_from_settings

SENT_PREFIX = "tandem:email-sent:"
# a claim protects a send in progress; a sent mark outlives any redelivery window
CLAIM_SECONDS = 600
SENT_SECONDS = 7 * 24 * 3600


class SentLedger:
    """Which message ids were sent, so a redelivered message never sends twice."""

    def __init__(self, redis_url: str):
        self._redis = redis.Redis.from_url(redis_url, socket_timeout=5) if redis_url else None
        self._local: dict[str, str] = {}
        self._lock = threading.Lock()

    def claim(self, message_id: str) -> bool:
        """True if this worker may send it now (not sent, not being sent)."""
        if self._redis is not None:
            return bool(self._redis.set(SENT_PREFIX + message_id, "sending", nx=True, ex=CLAIM_SECONDS))
        with self._lock:
            if message_id in self._local:
                return False
            self._local[message_id] = "sending"
            return True

    def mark_sent(self, message_id: str) -> None:
        if self._redis is not None:
            self._redis.set(SENT_PREFIX + message_id, "sent", ex=SENT_SECONDS)
        else:
            with self._lock:
                self._local[message_id] = "sent"

    def release(self, message_id: str) -> None:
        """The send failed: let the retry claim it again."""
        if self._redis is not None:
            self._redis.delete(SENT_PREFIX + message_id)
        else:
            with self._lock:
                self._local.pop(message_id, None)


@dataclass
class Runtime:
    mailer: Mailer
    ledger: SentLedger
    sender: str


_runtime: Runtime | None = None


def configure(settings: Settings) -> None:
    global _runtime
    _runtime = Runtime(
        mailer=mailer_from_settings(settings.email),
        ledger=SentLedger(settings.redis.url),
        sender=settings.email.from_address,
    )


def current() -> Runtime:
    if _runtime is None:
        raise RuntimeError("tasks.broker.configure_broker(settings) must run before actors")
    return _runtime


def sender() -> str:
    return current().sender
