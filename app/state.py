"""Everything a running app holds, built once by the composition root (app.main) and kept
on `app.ctx.state`. Capabilities get the parts they use when they are built
(app.capabilities); middleware links receive the state when the chain is built and name
its type only for annotations (under TYPE_CHECKING)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.auth.cookies import SessionCookies
from app.auth.passwords import PasswordHashing
from app.auth.session_effects import handle_session_effects
from app.auth.sessions import SessionStore
from app.auth.tokens import CookieSigner
from app.core.live_events import LIVE_EVENTS
from app.core.metrics import Metrics
from app.core.pagination import Paginator
from app.core.pubsub import PubSub
from app.core.redis_gateway import RedisGateway
from app.core.settings import Settings
from app.core.unit_of_work import UnitsOfWork
from app.events.bus import EventBus, LocalEventBus
from app.events.redis_bus import RedisEventBus
from app.events.service import EventStreams
from app.ratelimit.limiter import RateLimiter


def _no_broker() -> bool:
    return False


@dataclass
class AppState:
    settings: Settings
    metrics: Metrics
    passwords: PasswordHashing
    redis: RedisGateway | None
    pubsub: PubSub | None  # the app's one pub/sub connection, with Redis
    sessions: SessionStore
    limiter: RateLimiter
    cookies: SessionCookies
    paginator: Paginator
    # this app's transactions with after-commit effects; the relay joins at start-up
    units: UnitsOfWork
    # live events (SPEC §7): published after commit (through Redis to every API process,
    # else in this one), heard by this process's streams (GET /events)
    events: EventBus
    event_streams: EventStreams
    # the Dramatiq broker and, for the embedded default, the in-process worker
    broker: Any = None
    worker: Any = None
    # whether the broker answers (blocking, bounded); set with the broker at start-up
    broker_is_healthy: Callable[[], bool] = _no_broker
    outbox_relay: Any = None  # app.outbox.relay.OutboxRelay once the server starts
    # app.coaching.reminders.ReminderSweeper, in the embedded default only (no broker)
    reminder_sweeper: Any = None
    background_tasks: list[Any] = field(default_factory=list)

    @classmethod
    def build(cls, settings: Settings) -> AppState:
        metrics = Metrics(settings.metrics)  # before the Redis gateway: it reports to it
        redis = RedisGateway(settings.redis, metrics=metrics) if settings.redis.url else None
        pubsub = PubSub(redis) if redis is not None else None
        sessions = SessionStore(settings.sessions, redis=redis, pubsub=pubsub)
        units = UnitsOfWork()
        handle_session_effects(units, sessions)
        events: EventBus = (
            RedisEventBus(settings.events, redis=redis, pubsub=pubsub, metrics=metrics)
            if redis is not None and pubsub is not None
            else LocalEventBus(settings.events)
        )
        units.handle(LIVE_EVENTS, events.handle)
        return cls(
            settings=settings,
            metrics=metrics,
            passwords=PasswordHashing(settings.passwords),
            redis=redis,
            pubsub=pubsub,
            sessions=sessions,
            units=units,
            events=events,
            event_streams=EventStreams(settings.events, bus=events, sessions=sessions, metrics=metrics),
            limiter=RateLimiter(redis=redis),
            cookies=SessionCookies(
                settings.sessions,
                signer=CookieSigner(settings.security.secret_key),
                secure=not settings.server.dev,
            ),
            paginator=Paginator(secret_key=settings.security.secret_key, settings=settings.pagination),
        )
