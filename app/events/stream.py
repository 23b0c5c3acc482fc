"""One open event stream (GET /events): the SSE frames for one user in one organization.

Subscribed before anything is replayed, so nothing published meanwhile is missed; what
the replay already wrote is skipped when it arrives live again (ids rise within an
organization). Each event is judged at delivery by app.core.policy.may_receive with the
user's role as it is then: an event about the user's own membership, an eviction of the
session's cached snapshot (a revocation, a role change) and every heartbeat make the
stream check the session and the membership again, and end when either has ended.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from enum import StrEnum
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


class EventStream:
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
        self.events_written = 0

    @property
    def organization_id(self) -> UUID:
        return self.listener.organization_id

    async def frames(self) -> AsyncIterator[bytes]:
        """The bytes to send, until the stream ends (listener.ended says why)."""
        listener = self.listener
        loop = asyncio.get_running_loop()
        opening = b"retry: %d\n\n" % RETRY_MILLISECONDS
        if self._last_event_id is not None:
            opening += await self._replayed(self._last_event_id)
        yield opening
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
            while listener.pending and listener.ended is None:
                chunk += await self._frame_of(listener.pending.popleft())
            if loop.time() >= next_beat:
                chunk += HEARTBEAT
                next_beat = loop.time() + self._heartbeat_seconds
                chunk += await self._check()  # the backstop: a revocation never heard of here
            if chunk:
                yield chunk
            if listener.ended is None and not listener.wake.is_set():
                try:
                    # a deadline on this task, not wait_for's task per wait: 1,000 streams
                    # woken by one event each made and ran 1,000 tasks more (bench/sse.py)
                    async with asyncio.timeout_at(next_beat):
                        await listener.wake.wait()
                except TimeoutError:
                    pass

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
        order = delivered.order
        if self._written is not None and order <= self._written:
            return b""  # written already (replayed, then heard live)
        if self.listener.ended is not None:
            return b""
        self._written, self._position = order, delivered.id
        event = delivered.event
        about_me = _concerns(event, self.actor.user_id)
        if about_me and event.type == MEMBER_UPDATED:
            # judge this event, and what follows, by the new role
            if isinstance(actor := await self._check_actor_safely(), Actor):
                self.actor = actor
            else:
                self.listener.end(actor)
                return b""
        visible = may_receive(self.actor, event.audience)
        if (about_me and event.type == MEMBERSHIP_ENDED) or event.type == ORGANIZATION_DELETED:
            self.listener.end("membership ended")
        if not visible:
            return b""
        self.events_written += 1
        return delivered.frame

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
