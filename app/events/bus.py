"""The app's live-event bus: what a committed unit of work published reaches every stream
open on this process that listens to its organization, and is kept for a while so that a
reconnecting stream can replay what it missed (Last-Event-ID).

Ids are `<milliseconds>-<sequence>`, rising within an organization.

FOUNDATION (issue 12): in-process only. The events work adds Redis fan-out across API
processes behind the same interface (publish / listen / replay).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from app.core.live_events import LiveEvent
from app.core.settings import EventSettings


@dataclass(frozen=True, slots=True)
class Delivered:
    """An event as published: its id and when."""

    id: str
    event: LiveEvent
    at: float


class Listener:
    """One stream's inbox for one organization's events (bounded: a stream that cannot
    keep up is told to reconnect and replay rather than growing without end)."""

    def __init__(self, organization_id: UUID, *, capacity: int = 1000) -> None:
        self.organization_id = organization_id
        self.queue: asyncio.Queue[Delivered | None] = asyncio.Queue(capacity)
        self.overflowed = False

    def offer(self, delivered: Delivered) -> None:
        try:
            self.queue.put_nowait(delivered)
        except asyncio.QueueFull:
            self.overflowed = True


class LocalEventBus:
    def __init__(self, settings: EventSettings) -> None:
        self.settings = settings
        self._listeners: dict[UUID, set[Listener]] = {}
        self._recent: dict[UUID, deque[Delivered]] = {}
        self._sequence = itertools.count()

    def handle(self, events: list[LiveEvent]) -> None:
        """The LIVE_EVENTS effect handler (after commit)."""
        for event in events:
            self.deliver(self._stamp(event))

    def _stamp(self, event: LiveEvent) -> Delivered:
        now = time.time()
        return Delivered(f"{int(now * 1000)}-{next(self._sequence)}", event, now)

    def deliver(self, delivered: Delivered) -> None:
        organization_id = delivered.event.organization_id
        recent = self._recent.setdefault(organization_id, deque(maxlen=self.settings.replay_events or 1))
        recent.append(delivered)
        for listener in tuple(self._listeners.get(organization_id, ())):
            listener.offer(delivered)

    def listen(self, organization_id: UUID) -> Listener:
        listener = Listener(organization_id)
        self._listeners.setdefault(organization_id, set()).add(listener)
        return listener

    def forget(self, listener: Listener) -> None:
        listeners = self._listeners.get(listener.organization_id)
        if listeners is not None:
            listeners.discard(listener)
            if not listeners:
                del self._listeners[listener.organization_id]

    async def replay(self, organization_id: UUID, after_id: str) -> Iterable[Delivered]:
        """What the organization published after `after_id`, within the replay window."""
        oldest = time.time() - self.settings.replay_seconds
        return [
            delivered
            for delivered in self._recent.get(organization_id, ())
            if delivered.at >= oldest and _order(delivered.id) > _order(after_id)
        ]


def _order(event_id: str) -> tuple[int, int]:
    try:
        millis, sequence = event_id.split("-", 1)
        return int(millis), int(sequence)
    except ValueError:
        return (0, -1)
