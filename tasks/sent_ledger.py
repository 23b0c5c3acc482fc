"""Records of which emails were sent, so that send_email sends each message_id once.

A worker claims an id with a lease before sending, marks it sent after, and releases
the lease if sending failed. Redis holds the record all workers share; without Redis a
process-local record does, and the folder backend's `<id>.eml` file is its own record.
"""

from __future__ import annotations

import threading
import time
from typing import Literal

import redis

from tasks.mailers import FolderMailer

SENT_KEY_PREFIX = "tandem:email-sent:"
# Far longer than any redelivery: the default retry schedule ends within ~25 minutes,
# and a message whose ack was lost comes back after the broker's 60 s heartbeat timeout.
SENT_TTL_SECONDS = 3 * 24 * 3600
SENT = "sent"
Claim = Literal["claimed", "sent", "busy"]


class RedisSentLedger:
    """SET NX `tandem:email-sent:<id>`: a lease while sending, then "sent" for days."""

    _RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"

    def __init__(self, *, client: redis.Redis, lease_ms: int) -> None:
        self._client = client
        self._lease_ms = lease_ms
        self._release = client.register_script(self._RELEASE)

    def claim(self, message_id: str, token: str) -> Claim:
        key = SENT_KEY_PREFIX + message_id
        # the lease expires on its own, so a worker killed mid-send blocks nobody for long
        if self._client.set(key, token, nx=True, px=self._lease_ms):
            return "claimed"
        return "sent" if self._client.get(key) == SENT.encode() else "busy"

    def mark_sent(self, message_id: str) -> None:
        self._client.set(SENT_KEY_PREFIX + message_id, SENT, ex=SENT_TTL_SECONDS)

    def release(self, message_id: str, token: str) -> None:
        # only our own lease: after it expired another worker may hold the id
        self._release(keys=[SENT_KEY_PREFIX + message_id], args=[token])


class LocalSentLedger:
    """The same rules in this process only: SMTP without Redis (one process serves all)."""

    def __init__(self, *, lease_ms: int) -> None:
        self._lease_seconds = lease_ms / 1000
        self._entries: dict[str, tuple[str, float]] = {}  # id -> (token or SENT, expires at)
        self._lock = threading.Lock()

    def claim(self, message_id: str, token: str) -> Claim:
        now = time.monotonic()
        with self._lock:
            self._entries = {k: v for k, v in self._entries.items() if v[1] > now}
            held = self._entries.get(message_id)
            if held is not None:
                return "sent" if held[0] == SENT else "busy"
            self._entries[message_id] = (token, now + self._lease_seconds)
            return "claimed"

    def mark_sent(self, message_id: str) -> None:
        with self._lock:
            self._entries[message_id] = (SENT, time.monotonic() + SENT_TTL_SECONDS)

    def release(self, message_id: str, token: str) -> None:
        with self._lock:
            if self._entries.get(message_id, ("", 0.0))[0] == token:
                del self._entries[message_id]


class FolderSentLedger:
    """The folder backend needs no record: `<id>.eml` exists once the email is written."""

    def __init__(self, mailer: FolderMailer) -> None:
        self._mailer = mailer

    def claim(self, message_id: str, token: str) -> Claim:
        return "sent" if self._mailer.has_sent(message_id) else "claimed"

    def mark_sent(self, message_id: str) -> None:
        pass  # the renamed file is the record

    def release(self, message_id: str, token: str) -> None:
        pass  # nothing was recorded


SentLedger = RedisSentLedger | LocalSentLedger | FolderSentLedger
