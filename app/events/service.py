"""This process's event streams (GET /events): opened within a per-user bound, found by
their session when its cached snapshot is evicted (revoked, or its roles changed), and
all ended when the server stops."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

from app.auth.sessions import SessionStore
from app.core import errors
from app.core.membership import resolve_membership
from app.core.metrics import Metrics
from app.core.policy import Actor
from app.core.principal import Principal
from app.core.settings import EventSettings
from app.events.bus import EventBus
from app.events.stream import Ended, EventStream

logger = logging.getLogger("tandem.events")


class EventStreams:
    """Built once per app (app.state), shared by every mount's events blueprint."""

    def __init__(
        self, settings: EventSettings, *, bus: EventBus, sessions: SessionStore, metrics: Metrics
    ) -> None:
        self.settings = settings
        self._bus = bus
        self._sessions = sessions
        self._metrics = metrics
        self._per_user: dict[UUID, int] = {}
        self._by_session: dict[str, set[EventStream]] = {}
        self._stopping = False
        sessions.watch_evictions(self._session_evicted)

    @property
    def open_count(self) -> int:
        return sum(self._per_user.values())

    def open_streams(self) -> list[EventStream]:
        return [stream for streams in self._by_session.values() for stream in streams]

    @asynccontextmanager
    async def open(
        self, principal: Principal, *, organization_id: UUID, role: str | None, last_event_id: str | None
    ) -> AsyncIterator[EventStream]:
        """A stream for `principal` in the organization (the chain resolved the membership):
        429 past `max_streams_per_user` on this process, 503 while the server stops."""
        if self._stopping:
            raise errors.DependencyUnavailable("The server is stopping; reconnect to another")
        user_id = principal.user_id
        held = self._per_user.get(user_id, 0)
        if held >= self.settings.max_streams_per_user:
            raise errors.RateLimited(
                f"At most {self.settings.max_streams_per_user} event streams per user at once; close one first"
            )
        self._per_user[user_id] = held + 1
        listener = self._bus.listen(organization_id)  # before any replay: nothing slips between
        self._metrics.event_streams(1)
        stream = EventStream(
            bus=self._bus,
            listener=listener,
            actor=Actor(user_id, principal.global_role, role),
            check_actor=lambda: self._actor_now(principal.token_hash, organization_id),
            heartbeat_seconds=self.settings.heartbeat_seconds,
            last_event_id=last_event_id,
        )
        self._by_session.setdefault(principal.token_hash, set()).add(stream)
        opened = time.monotonic()
        try:
            yield stream
        finally:
            self._bus.forget(listener)
            streams = self._by_session.get(principal.token_hash)
            if streams is not None:
                streams.discard(stream)
                if not streams:
                    del self._by_session[principal.token_hash]
            remaining = self._per_user[user_id] - 1
            if remaining:
                self._per_user[user_id] = remaining
            else:
                del self._per_user[user_id]
            self._metrics.event_streams(-1)
            logger.info(
                "event stream closed after %.1f s, %d events (%d written at once): %s",
                time.monotonic() - opened,
                stream.events_written,
                stream.written_at_once,
                listener.ended or "client went away",
            )

    def stop(self) -> None:
        """End every stream (the server is stopping: its shut-down waits for open responses)."""
        self._stopping = True
        for stream in self.open_streams():
            stream.listener.end("server stopping")

    def _session_evicted(self, token_hash: str | None) -> None:
        """A session's snapshot was evicted (None: all of them): its streams check again."""
        if token_hash is None:
            streams = self.open_streams()
        else:
            streams = list(self._by_session.get(token_hash, ()))
        for stream in streams:
            stream.listener.check_again()

    async def _actor_now(self, token_hash: str, organization_id: UUID) -> Actor | Ended:
        """The user with their role in the organization as of now, else what has ended:
        the session (revoked, expired, user disabled) or the membership (removed, left,
        organization deleted). From the session snapshot when cached, as the chain decides."""
        principal = await self._sessions.principal_for_hash(token_hash)
        if principal is None:
            return Ended.SESSION
        role = principal.role_in(organization_id)
        if role is None:
            membership = await resolve_membership(
                organization_id=organization_id, user_id=principal.user_id, global_role=principal.global_role
            )
            if membership is None:
                return Ended.MEMBERSHIP
            role = membership[1]
        return Actor(principal.user_id, principal.global_role, role)
