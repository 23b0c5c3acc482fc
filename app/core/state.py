"""Everything a running app holds, built once by the factory and kept on `app.ctx.state`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.auth.session_effects import handle_session_effects
from app.auth.sessions import SessionStore
from app.auth.tokens import CookieSigner
from app.core.pagination import Paginator
from app.core.redis_gateway import RedisGateway
from app.core.settings import Settings
from app.core.unit_of_work import UnitsOfWork
from app.ratelimit.limiter import RateLimiter


@dataclass
class AppState:
    settings: Settings
    redis: RedisGateway | None
    sessions: SessionStore
    limiter: RateLimiter
    cookie_signer: CookieSigner
    paginator: Paginator
    # this app's transactions with after-commit effects; the relay joins at start-up
    units: UnitsOfWork
    # the Dramatiq broker and, for the embedded default, the in-process worker
    broker: Any = None
    worker: Any = None
    outbox_relay: Any = None  # app.outbox.relay.OutboxRelay once the server starts
    background_tasks: list[Any] = field(default_factory=list)

    @classmethod
    def build(cls, settings: Settings) -> AppState:
        redis = RedisGateway(settings.redis) if settings.redis.url else None
        sessions = SessionStore(settings.sessions, redis=redis)
        units = UnitsOfWork()
        handle_session_effects(units, sessions)
        return cls(
            settings=settings,
            redis=redis,
            sessions=sessions,
            units=units,
            limiter=RateLimiter(redis=redis),
            cookie_signer=CookieSigner(settings.security.secret_key),
            paginator=Paginator(secret_key=settings.security.secret_key, settings=settings.pagination),
        )
