"""One open event stream (GET /events): the SSE frames for one user in one organization.

Subscribed before anything is replayed, so nothing published meanwhile is missed; what
the replay already wrote is skipped when it arrives live again (ids rise within an
organization). Each event is judged at delivery by app.core.policy.may_receive with the
user's role as it is then: an event about the user's own membership, an eviction of the
session's cached snapshot (a revocation, a role change) and every heartbeat make the
stream check the session and the membership again, and end when either has ended.

While the stream waits with nothing to do, its listener hands it each event at once
(`_write_now`): judged as above and written straight to the connection, without waking
the stream's task. What needs an await (a `member.updated` about the user: the role is
read again first), or a connection that cannot take it now (flow control paused it: a
slow reader), goes through the task instead, in order (app.events.bus.Listener).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from app.core.live_events import LiveEvent
from app.core.policy import Actor, may_receive
from app.core.redis_gateway import RedisUnavailable
from app.events.bus import Delivered, EventBus, Listener

logger = logging.getLogger("tandem.events")
HEARTBEAT = b": heartbeat\n\n"
# how long an EventSource waits before reconnecting (SSE `retry:`, milliseconds)
RETRY_MILLISECONDS = 3000
# events that end the stream once delivered: the member concerned loses the organization
MEMBERSHIP_ENDED = "member.removed"
ORGANIZATION_DELETED = "organization.deleted"
MEMBER_UPDATED = "member.updated"


class Ended(StrEnum):
    """Why a check ends a stream."""

    SESSION = "session ended"  # revoked, expired, or its user disabled: nothing more is sent
    # removed, left, or the organization deleted: what was published up to the change (the
    # event telling of it among them) is sent first, as the member could see it
    MEMBERSHIP = "membership ended"


# the actor as of now, or why the stream must end
CheckActor = Callable[[], Awaitable[Actor | Ended]]


class Connection(Protocol):
    """The stream's response, written to without waiting (app.events.connection)."""

    def ready(self) -> bool:
        """Whether a write now goes out as the response's own send would, without waiting
        (not paused by flow control, not closing)."""

    def write(self, data: bytes) -> None:
        """Send `data` as the response's next bytes."""


# what gives the connection once the opening bytes are sent (None: no direct writes)
Connect = Callable[[], Connection | None]


class EventStream:
    # slots: one per open stream, 1,000s per process
    __slots__ = (
        "_bus",
        "_check_actor",
        "_connection",
        "_heartbeat_seconds",
        "_last_event_id",
        "_position",
        "_written",
        "actor",
        "events_written",
        "listener",
        "written_at_once",
    )

    def __init__(
        self,
        *,
        bus: EventBus,
        listener: Listener,
        actor: Actor,
        check_actor: CheckActor,
        heartbeat_seconds: float,
        last_event_id: str | None,
    ) -> None:
        """`last_event_id`: a valid id the client sent (app.events.bus.valid_event_id)."""
        self._bus = bus
        self.listener = listener
        self.actor = actor
        self._check_actor = check_actor
        self._heartbeat_seconds = heartbeat_seconds
        self._last_event_id = last_event_id
        # where a replay after a gap resumes: the last id written, else the client's, else now
        self._position = last_event_id or f"{int(time.time() * 1000)}-0"
        # the highest id written: what arrives again (replayed, then live) is skipped. Only
        # ids this stream wrote count, so a forged Last-Event-ID cannot hide live events
        self._written: tuple[int, int] | None = None
        self._connection: Connection | None = None
        self.events_written = 0
        self.written_at_once = 0  # of events_written, those written while the task waited

    @property
    def organization_id(self) -> UUID:
        return self.listener.organization_id

    async def frames(self, *, connect: Connect | None = None) -> AsyncIterator[bytes]:
        """The bytes to send, until the stream ends (listener.ended says why). `connect`,
        called once the opening bytes are sent, gives the connection to write events to
        while this stream waits; the rest comes through here."""
        listener = self.listener
        loop = asyncio.get_running_loop()
        opening = b"retry: %d\n\n" % RETRY_MILLISECONDS
        if self._last_event_id is not None:
            opening += await self._replayed(self._last_event_id)
        yield opening
        self._connection = connect() if connect is not None else None
        next_beat = loop.time() + self._heartbeat_seconds
        while listener.ended is None:
            listener.wake.clear()
            chunk = b""
            if listener.gap:
                listener.gap = False
                chunk += await self._replayed(self._position)
            if listener.recheck:
                listener.recheck = False
                chunk += await self._check()
            while listener.ended is None and (delivered := listener.take()) is not None:
                chunk += await self._frame_of(delivered)
            if loop.time() >= next_beat:
                chunk += HEARTBEAT
                next_beat = loop.time() + self._heartbeat_seconds
                chunk += await self._check()  # the backstop: a revocation never heard of here
            if chunk:
                yield chunk  # resumed once it is sent: nothing is left in flight below
            if listener.ended is None and not listener.wake.is_set():
                await self._wait(next_beat)

    async def _wait(self, deadline: float) -> None:
        """Until something wakes the stream or the deadline passes; meanwhile the events
        that can be are written at once."""
        listener = self.listener
        if self._connection is not None:
            listener.write_now = self._write_now
        try:
            # a deadline on this task, not wait_for's task per wait: 1,000 streams woken
            # by one event each made and ran 1,000 tasks more (bench/sse.py)
            async with asyncio.timeout_at(deadline):
                await listener.wake.wait()
        except TimeoutError:
            pass
        finally:
            listener.write_now = None

    def _write_now(self, delivered: Delivered) -> bool:
        """The listener's offer while this stream waits: the event judged and its frame
        written at once; False when the task must handle it (the role is to be read again
        first, or the connection cannot take it now)."""
        connection = self._connection
        if connection is None or self._rereads_role(delivered.event) or not connection.ready():
            return False
        if frame := self._judged(delivered):
            connection.write(frame)
            self.written_at_once += 1
        return True

    async def _replayed(self, after_id: str) -> bytes:
        try:
            missed: Sequence[Delivered] = await self._bus.replay(self.organization_id, after_id)
        except RedisUnavailable:
            # the pub/sub connection tells of another gap once Redis is back: replay then
            logger.warning("event replay failed: redis unreachable")
            return b""
        chunk = b""
        for delivered in missed:
            chunk += await self._frame_of(delivered)
        return chunk

    async def _frame_of(self, delivered: Delivered) -> bytes:
        if self._rereads_role(delivered.event) and self._is_new(delivered) and self.listener.ended is None:
            # judge this event, and what follows, by the new role
            actor = await self._check_actor_safely()
            if not isinstance(actor, Actor):
                self.listener.end(actor)
                return b""
            self.actor = actor
        return self._judged(delivered)

    def _judged(self, delivered: Delivered) -> bytes:
        """The frame to write as this stream's user may see the event now (b"": nothing),
        ending the stream after it when it ends the membership."""
        if not self._is_new(delivered) or self.listener.ended is not None:
            return b""  # written already (replayed, then heard live), or ended
        self._written, self._position = delivered.order, delivered.id
        event = delivered.event
        visible = may_receive(self.actor, event.audience)
        if event.type == ORGANIZATION_DELETED or (
            event.type == MEMBERSHIP_ENDED and _concerns(event, self.actor.user_id)
        ):
            self.listener.end(Ended.MEMBERSHIP)
        if not visible:
            return b""
        self.events_written += 1
        return delivered.frame

    def _is_new(self, delivered: Delivered) -> bool:
        return self._written is None or delivered.order > self._written

    def _rereads_role(self, event: LiveEvent) -> bool:
        """A role change of this user: the role is read again (an await) before judging."""
        return event.type == MEMBER_UPDATED and _concerns(event, self.actor.user_id)

    async def _check(self) -> bytes:
        """Check the session and the membership again; what to send before ending, if
        the membership ended (what was published up to the change)."""
        actor = await self._check_actor_safely()
        if isinstance(actor, Actor):
            self.actor = actor
            return b""
        last_words = await self._replayed(self._position) if actor is Ended.MEMBERSHIP else b""
        self.listener.end(actor)
        return last_words

    async def _check_actor_safely(self) -> Actor | Ended:
        try:
            return await self._check_actor()
        except Exception:
            # the database did not answer: end rather than go on unchecked; the client
            # reconnects and is checked afresh
            logger.exception("event stream could not check its session; ending it")
            return Ended.SESSION


def _concerns(event: LiveEvent, user_id: UUID) -> bool:
    """A member event about this user (its data names them)."""
    return event.type.startswith("member.") and event.data.get("user_id") == str(user_id)
