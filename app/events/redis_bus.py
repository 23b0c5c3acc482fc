"""Live events across API processes, through Redis (docs/events.md).

Publishing a committed unit's events is one round trip (a Lua script): each event is
appended to its organization's stream `tandem:events:{organization}` (XADD, trimmed to
about `replay_events` and expiring `replay_seconds` after the last event), which gives
it a rising id, then PUBLISHed with that id on one channel. Every API process hears the
channel on its one pub/sub connection (app.core.pubsub) and hands each event to its
listeners of that organization. The stream is the replay window: Last-Event-ID reads it
back with XREVRANGE, and so does a listener told of a gap (the pub/sub connection was
lost or re-established), from the last id it wrote.

Redis down while publishing: the events are dropped, logged and counted
(`tandem_live_events_dropped_total`); the change itself is committed already and the
request answers as usual. Live events are notifications: a client resynchronizes by
listing what it shows.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import orjson
from redis.asyncio import Redis

from app.core.live_events import Audience, LiveEvent
from app.core.metrics import Metrics
from app.core.pubsub import PubSub
from app.core.redis_gateway import RedisGateway, RedisUnavailable
from app.core.settings import EventSettings
from app.events.bus import Delivered, Listener, Listeners, event_order

logger = logging.getLogger("tandem.events")
STREAM_PREFIX = "tandem:events:"
# Pub/sub channels are shared by every database of a Redis server: the database's number
# keeps two deployments (or two test workers) on one server from hearing each other
CHANNEL_PREFIX = "tandem:live-events@"

# KEYS: one stream per event; ARGV: channel, max length, expiry (s), then one payload per
# event. Appends and publishes in order, in one step: ids rise in the order heard.
PUBLISH = """
local channel, maxlen, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
for i, key in ipairs(KEYS) do
  local payload = ARGV[i + 3]
  local id = redis.call('XADD', key, 'MAXLEN', '~', maxlen, '*', 'e', payload)
  if ttl > 0 then redis.call('EXPIRE', key, ttl) end
  redis.call('PUBLISH', channel, id .. ' ' .. payload)
end
return #KEYS
"""


def to_payload(event: LiveEvent) -> bytes:
    return orjson.dumps(
        {
            "type": event.type,
            "organization_id": str(event.organization_id),
            "data": event.data,
            "audience": event.audience.to_wire(),
        }
    )


def from_payload(payload: bytes) -> LiveEvent:
    wire: dict[str, Any] = orjson.loads(payload)
    return LiveEvent(
        wire["type"], UUID(wire["organization_id"]), wire["data"], Audience.from_wire(wire["audience"])
    )


class RedisEventBus:
    def __init__(
        self,
        settings: EventSettings,
        *,
        redis: RedisGateway,
        pubsub: PubSub,
        metrics: Metrics,
        clock: Any = time.time,
    ) -> None:
        self.settings = settings
        self._redis = redis
        self._metrics = metrics
        self._clock = clock
        self._listeners = Listeners()
        self._script = redis.client.register_script(PUBLISH)
        database = redis.client.connection_pool.connection_kwargs.get("db", 0)
        self.channel = f"{CHANNEL_PREFIX}{database}"
        pubsub.subscribe(self.channel, self._heard, on_gap=self._listeners.tell_all_of_gap)

    async def handle(self, events: list[LiveEvent]) -> None:
        """The LIVE_EVENTS effect handler: one round trip for a unit's events."""
        if not events:
            return
        keys = [STREAM_PREFIX + str(event.organization_id) for event in events]
        # the window in time bounds the stream's life too: an idle organization's expires
        ttl = self.settings.replay_seconds + 60 if self.settings.replay_seconds else 0
        args = [self.channel, max(self.settings.replay_events, 1), ttl, *map(to_payload, events)]
        script = self._script
        try:
            # the script object loads itself again if Redis restarted and lost it
            await self._redis.run(lambda client: script(keys=keys, args=args))
        except RedisUnavailable:
            logger.warning(
                "redis unreachable: %d live event(s) dropped (%s)",
                len(events),
                ", ".join(sorted({event.type for event in events})),
            )
            self._metrics.live_events_dropped(len(events))

    def _heard(self, message: bytes) -> None:
        event_id, _, payload = message.partition(b" ")
        self._listeners.deliver(Delivered.of(event_id.decode(), from_payload(payload)))

    def listen(self, organization_id: UUID) -> Listener:
        return self._listeners.add(organization_id)

    def forget(self, listener: Listener) -> None:
        self._listeners.discard(listener)

    async def replay(self, organization_id: UUID, after_id: str) -> Sequence[Delivered]:
        """The latest `replay_events` after `after_id`, none older than `replay_seconds`
        (stream ids begin with their time in milliseconds). Raises RedisUnavailable."""
        if not self.settings.replay_events:
            return []
        oldest = int((self._clock() - self.settings.replay_seconds) * 1000)
        start = after_id if event_order(after_id) >= (oldest, 0) else f"{oldest}-0"
        key = STREAM_PREFIX + str(organization_id)
        count = self.settings.replay_events

        async def newest_first(client: Redis) -> list[tuple[bytes, dict[bytes, bytes]]]:
            return await client.xrevrange(key, max="+", min=f"({start}", count=count)

        entries = await self._redis.run(newest_first)
        return [
            Delivered.of(entry_id.decode(), from_payload(fields[b"e"]))
            for entry_id, fields in reversed(entries)
        ]
