"""The app's one Redis pub/sub connection, shared by every subscriber in the process.

Redis pub/sub keeps nothing for a subscriber that is not connected: whatever was
published while the connection was down, or before it was (re)established, is lost.
So each subscriber names, besides its message handler, what to do about such a gap;
it is told whenever the connection is (re)subscribed and whenever it is lost, and
must then assume it missed anything (session revocation drops its whole cache).

Handlers run on the listener's task, one message after another: they must not block
(hand slow work to a queue of their own).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from redis.exceptions import RedisError

from app.core.redis_gateway import RedisGateway

logger = logging.getLogger("tandem.pubsub")


@dataclass(frozen=True)
class Subscriber:
    on_message: Callable[[bytes], None]  # the message's payload
    on_gap: Callable[[], None]  # messages may have been missed


class PubSub:
    def __init__(self, redis: RedisGateway, *, poll_seconds: float = 0.1, reconnect_seconds: float = 1.0):
        """`poll_seconds`: how long a read waits before checking for stop(), which bounds
        how soon the listener ends (an app's shut-down waits for it); a read that times
        out costs no round trip. `reconnect_seconds`: the pause after a lost connection."""
        self._redis = redis
        self._poll_seconds = poll_seconds
        self._reconnect_seconds = reconnect_seconds
        self._subscribers: dict[str, list[Subscriber]] = {}
        self._started = False
        self._stopped = asyncio.Event()

    def subscribe(
        self, channel: str, on_message: Callable[[bytes], None], *, on_gap: Callable[[], None]
    ) -> None:
        """Hear `channel` from when the listener starts. Subscribe while the app is built:
        a channel added to a running connection would be silently missed until the next
        reconnect."""
        if self._started:
            raise RuntimeError(f"subscribe to {channel!r} before the pub/sub listener starts")
        self._subscribers.setdefault(channel, []).append(Subscriber(on_message, on_gap))

    def stop(self) -> None:
        """End run() within `poll_seconds`, or before it begins if it has not yet."""
        self._stopped.set()

    async def run(self) -> None:
        """Until stop(): deliver messages to their subscribers, reconnecting after a loss.

        Polls with a timeout and a flag rather than relying on task cancellation,
        which redis-py's pub/sub reads do not reliably honour.
        """
        self._started = True
        if not self._subscribers:
            return
        client = self._redis.subscription_client()
        try:
            while not self._stopped.is_set():
                try:
                    async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                        await pubsub.subscribe(*self._subscribers)
                        # anything published while we were not subscribed is unknown
                        self._tell_of_gap()
                        while not self._stopped.is_set():
                            message = await pubsub.get_message(timeout=self._poll_seconds)
                            if message is not None:
                                self._deliver(message["channel"].decode(), message["data"])
                except (RedisError, OSError) as error:
                    logger.warning("pub/sub connection lost (%s); reconnecting", error)
                    self._tell_of_gap()
                    with contextlib.suppress(TimeoutError):  # a stop() ends the pause
                        await asyncio.wait_for(self._stopped.wait(), self._reconnect_seconds)
        finally:
            await client.aclose()

    def _deliver(self, channel: str, data: bytes) -> None:
        for subscriber in self._subscribers.get(channel, ()):
            try:
                subscriber.on_message(data)
            except Exception:
                # one subscriber's failure must not cost the others their messages; the
                # one that failed lost this message, which is a gap as far as it knows
                logger.exception("pub/sub subscriber of %s failed; telling it of a gap", channel)
                self._tell_one_of_gap(channel, subscriber)

    def _tell_of_gap(self) -> None:
        for channel, subscribers in self._subscribers.items():
            for subscriber in subscribers:
                self._tell_one_of_gap(channel, subscriber)

    @staticmethod
    def _tell_one_of_gap(channel: str, subscriber: Subscriber) -> None:
        try:
            subscriber.on_gap()
        except Exception:
            # raised out of run(), it would end the listener: every other subscriber
            # (session revocation among them) would hear nothing more until a restart
            logger.exception("pub/sub subscriber of %s failed to handle a gap", channel)
