"""The app's live-event bus: what a committed unit of work published reaches every stream
open on this process that listens to its organization, and is kept for a while so that a
reconnecting stream can replay what it missed (Last-Event-ID).

Two buses answer the same interface (`EventBus`): `LocalEventBus` here, for the embedded
default (one process, no Redis), and `app.events.redis_bus.RedisEventBus`, which fans
events out across API processes. Ids are `<milliseconds>-<sequence>`, rising within an
organization (Redis stream ids, or this process's clock and counter).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol
from uuid import UUID

import orjson

from app.core.live_events import LiveEvent
from app.core.settings import EventSettings

logger = logging.getLogger("tandem.events")
# what a client may send as Last-Event-ID: an id as this bus writes them, nothing else.
# ASCII digits only: `\d` (and int()) take any Unicode digit, which Redis refuses as a
# stream id, and the gateway takes a refused command for Redis down (every live event
# of the process dropped for a while, at a client's whim)
EVENT_ID = re.compile(r"^[0-9]{1,15}-[0-9]{1,19}$")
# events a listener holds for a stream that has not written them yet; past it the stream
# replays from its last id (a gap) rather than letting the inbox grow without end
LISTENER_CAPACITY = 1000


def event_order(event_id: str) -> tuple[int, int]:
    """An id's place in its organization's order; (0, -1) for anything malformed."""
    millis, _, sequence = event_id.partition("-")
    try:
        return int(millis), int(sequence)
    except ValueError:
        return (0, -1)


def valid_event_id(event_id: str | None) -> str | None:
    """A client's Last-Event-ID when it has the shape of ours, else None (ignored)."""
    if event_id is None or not EVENT_ID.fullmatch(event_id):  # `$` would let a "\n" end it
        return None
    return event_id


@dataclass(frozen=True, slots=True)
class Delivered:
    """An event as published: its id, and its SSE frame and place in the order, both made
    once for every stream."""

    id: str
    event: LiveEvent
    frame: bytes = field(repr=False)
    order: tuple[int, int] = field(repr=False)

    @classmethod
    def of(cls, event_id: str, event: LiveEvent) -> Delivered:
        # one line of JSON (orjson never writes a newline); the type is a constant of ours
        data = orjson.dumps(event.data)
        frame = b"id: %b\nevent: %b\ndata: %b\n\n" % (event_id.encode(), event.type.encode(), data)
        return cls(event_id, event, frame, event_order(event_id))


class Wake:
    """asyncio.Event for one waiter (a stream's task): the same set, clear, is_set and
    wait, without the Event's deque of waiters (760 bytes, for each of 1,000 streams)."""

    __slots__ = ("_set", "_waiter")

    def __init__(self) -> None:
        self._set = False
        self._waiter: asyncio.Future[None] | None = None

    def is_set(self) -> bool:
        return self._set

    def clear(self) -> None:
        self._set = False

    def set(self) -> None:
        if self._set:
            return
        self._set = True
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def wait(self) -> None:
        if self._set:
            return
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None


class Listener:
    """One stream's inbox for one organization's events, and what else it must notice:
    a gap (events may have been missed: replay from the last id), a reason to check its
    session and role again, or the end. One `Wake` wakes the stream for any.

    While its stream waits with nothing to do, `write_now` (the stream's) may take an
    event at once instead: written straight to the connection, without waking the
    stream's task (1,000 streams woken for one event cost more than the writes). It
    answers False when the event needs the task (the connection is paused, or the event
    needs an await); the event is then queued, and anything queued, a gap, a check or
    the end turns `write_now` off until the stream waits again, so that nothing
    overtakes what is queued."""

    __slots__ = ("_capacity", "_pending", "ended", "gap", "organization_id", "recheck", "wake", "write_now")

    def __init__(self, organization_id: UUID, *, capacity: int = LISTENER_CAPACITY) -> None:
        self.organization_id = organization_id
        # made when an event is queued, dropped once emptied: most streams queue nothing
        # most of the time, and an empty deque is 760 bytes
        self._pending: deque[Delivered] | None = None
        self.wake = Wake()
        self.gap = False
        self.recheck = False
        self.ended: str | None = None  # why, once ended
        self.write_now: Callable[[Delivered], bool] | None = None
        self._capacity = capacity

    @property
    def pending(self) -> deque[Delivered]:
        """The events queued for the stream, oldest first."""
        if self._pending is None:
            self._pending = deque()
        return self._pending

    def take(self) -> Delivered | None:
        """The oldest event queued, if any (what the stream's task calls)."""
        pending = self._pending
        if not pending:
            return None
        delivered = pending.popleft()
        if not pending:
            self._pending = None
        return delivered

    def offer(self, delivered: Delivered) -> None:
        if self.write_now is not None:
            try:
                if self.write_now(delivered):
                    return
            except Exception:
                # one stream's failure must not stop the delivery to the others: its task
                # takes the event (and fails, if it must, on its own)
                logger.exception("writing an event at once failed; the stream's task takes it")
        pending = self.pending
        if len(pending) >= self._capacity:
            self.gap = True  # the stream replays what it dropped here
        else:
            pending.append(delivered)
        self._wake()

    def tell_of_gap(self) -> None:
        self.gap = True
        self._wake()

    def check_again(self) -> None:
        self.recheck = True
        self._wake()

    def end(self, reason: str) -> None:
        if self.ended is None:
            self.ended = reason
        self._wake()

    def _wake(self) -> None:
        self.write_now = None  # the task handles what follows, in order, until it waits again
        self.wake.set()


class EventBus(Protocol):
    def handle(self, events: list[LiveEvent]) -> Awaitable[None] | None:
        """The LIVE_EVENTS effect handler (after commit)."""

    def listen(self, organization_id: UUID) -> Listener: ...

    def forget(self, listener: Listener) -> None: ...

    async def replay(self, organization_id: UUID, after_id: str) -> Sequence[Delivered]:
        """What the organization published after `after_id`, within the replay window."""


class Listeners:
    """This process's listeners, by organization."""

    def __init__(self) -> None:
        self._by_organization: dict[UUID, set[Listener]] = {}

    def add(self, organization_id: UUID) -> Listener:
        listener = Listener(organization_id)
        self._by_organization.setdefault(organization_id, set()).add(listener)
        return listener

    def discard(self, listener: Listener) -> None:
        listeners = self._by_organization.get(listener.organization_id)
        if listeners is not None:
            listeners.discard(listener)
            if not listeners:
                del self._by_organization[listener.organization_id]

    def deliver(self, delivered: Delivered) -> None:
        for listener in tuple(self._by_organization.get(delivered.event.organization_id, ())):
            listener.offer(delivered)

    def tell_all_of_gap(self) -> None:
        for listeners in tuple(self._by_organization.values()):
            for listener in tuple(listeners):
                listener.tell_of_gap()


class LocalEventBus:
    """The embedded default: this process is the only one, memory is the replay window."""

    def __init__(self, settings: EventSettings, *, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self._clock = clock
        self._listeners = Listeners()
        # by organization, the one that published last at the end: the idle ones come first
        self._recent: dict[UUID, deque[tuple[float, Delivered]]] = {}
        self._sequence = itertools.count()
        self._last_millis = 0

    def handle(self, events: list[LiveEvent]) -> None:
        for event in events:
            now = self._clock()
            # ids rise even when the wall clock steps back (NTP, a resumed VM): a stream
            # skips an id at or below the last it wrote, so a lower one would be lost
            self._last_millis = max(self._last_millis, int(now * 1000))
            delivered = Delivered.of(f"{self._last_millis}-{next(self._sequence)}", event)
            if self.settings.replay_events:
                self._keep(event.organization_id, now, delivered)
            self._listeners.deliver(delivered)

    def _keep(self, organization_id: UUID, now: float, delivered: Delivered) -> None:
        """Keep the event for replay; drop what has left the window in time, this
        organization's and every idle one's, so memory follows the window, not the
        number of organizations that ever published."""
        recent = self._recent.pop(organization_id, None) or deque(maxlen=self.settings.replay_events)
        recent.append((now, delivered))
        self._recent[organization_id] = recent  # at the end: the latest to publish
        oldest = now - self.settings.replay_seconds
        while recent and recent[0][0] < oldest:
            recent.popleft()
        for idle in tuple(self._recent):
            kept = self._recent[idle]
            if kept and kept[-1][0] >= oldest:
                break  # this one, and every one after it, published within the window
            del self._recent[idle]

    def listen(self, organization_id: UUID) -> Listener:
        return self._listeners.add(organization_id)

    def forget(self, listener: Listener) -> None:
        self._listeners.discard(listener)

    async def replay(self, organization_id: UUID, after_id: str) -> Sequence[Delivered]:
        oldest = self._clock() - self.settings.replay_seconds
        after = event_order(after_id)
        return [
            delivered
            for at, delivered in self._recent.get(organization_id, ())
            if at >= oldest and delivered.order > after
        ]
