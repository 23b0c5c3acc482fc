"""Session lifecycle: create, look up, touch, expire, revoke, rotate and refresh.

Lookup order: this process's cache (no I/O) → Redis (shared) → the database
(app/auth/sessions/cache.py). Every revocation evicts every cached copy in every
process (app/auth/sessions/revocation.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from app.auth.sessions.cache import SessionCache
from app.auth.sessions.devices import device_of
from app.auth.sessions.revocation import Revocations
from app.auth.sessions.snapshots import seen_at, snapshot_of
from app.auth.tokens import hash_token, new_token
from app.core import errors
from app.core.principal import Principal
from app.core.pubsub import PubSub
from app.core.redis_gateway import RedisGateway
from app.core.settings import SessionSettings
from models import AuthSession, SpentRefreshToken, User

logger = logging.getLogger("tandem.sessions")
# users whose sessions one query looks up when many users' snapshots are refreshed
REFRESH_BATCH = 500


class SessionStore:
    def __init__(
        self,
        settings: SessionSettings,
        *,
        redis: RedisGateway | None,
        pubsub: PubSub | None = None,
        clock: Callable[[], float] = time.time,
    ):
        """`pubsub`: where revocations by other processes are heard; without it this
        process's cache learns of them only when its entries expire."""
        self.settings = settings
        self.clock = clock
        self.cache = SessionCache(settings, redis=redis)
        self._revocations = Revocations(self.cache, redis=redis, pubsub=pubsub)

    # ------------------------------------------------------------------ create
    async def create(
        self, user: User, *, kind: str, ip_address: str, user_agent: str
    ) -> tuple[AuthSession, str, str | None]:
        """A new session; returns it with its token (and refresh token for bearer).

        Runs on the caller's transaction when there is one. A bearer token (the access
        token) ends after `access_token_seconds`; POST /auth/refresh renews it.
        """
        token = new_token()
        refresh = new_token() if kind == "bearer" else None
        now = datetime.fromtimestamp(self.clock(), UTC)
        ip_address, user_agent = device_of(ip_address, user_agent)
        session = await AuthSession.create(
            user=user,
            token_hash=hash_token(token),
            refresh_token_hash=hash_token(refresh) if refresh else None,
            kind=kind,
            ip_address=ip_address,
            user_agent=user_agent,
            last_seen_at=now,
            expires_at=now + timedelta(seconds=self.settings.absolute_lifetime_seconds),
            access_expires_at=(
                now + timedelta(seconds=self.settings.access_token_seconds) if refresh else None
            ),
        )
        return session, token, refresh

    # ------------------------------------------------------------------ lookup
    async def principal_for(self, token: str) -> Principal | None:
        """The live session behind `token`, or None (unknown, revoked, idle or expired)."""
        return await self.principal_for_hash(hash_token(token))

    async def principal_for_hash(self, token_hash: str) -> Principal | None:
        """principal_for, by the token's hash (an open event stream checks its session
        again without keeping the token)."""
        now = self.clock()
        # before any await: an eviction heard of after this voids what this lookup read
        started = time.monotonic()
        principal = self.cache.local(token_hash, now)
        if principal is None:
            principal = await self._look_up(token_hash, now, started)
        if principal is None:
            return None
        if now >= principal.expires_at or now - principal.last_seen_at > self.settings.idle_timeout_seconds:
            await self._end_expired(principal, now)
            return None
        if now - principal.last_seen_at > self.settings.touch_interval_seconds:
            return await self._touch(principal, now, started)
        return principal

    async def _look_up(self, token_hash: str, now: float, started: float) -> Principal | None:
        """Redis, then the database; caches what it found unless an eviction of this
        token was heard of since `started` (then what was read may predate it)."""
        principal = await self.cache.shared(token_hash)
        from_database = principal is None
        if from_database:
            principal = await self._from_database(token_hash)
        if self.cache.evicted_since(token_hash, started):
            return await self._from_database(token_hash)  # read again, cache nothing
        if principal is not None:
            self.cache.store_local(principal, now)  # no await since the check: nothing slips in
            if from_database:
                await self.cache.store_shared(principal, now)
        return principal

    async def _end_expired(self, principal: Principal, now: float) -> None:
        """Idle or past its absolute end: revoke. Only the bearer access token ended: the
        session lives on for POST /auth/refresh, this token is just no longer accepted."""
        idle = now - principal.last_seen_at > self.settings.idle_timeout_seconds
        ended = (
            idle
            or await AuthSession.filter(
                token_hash=principal.token_hash, expires_at__lte=datetime.fromtimestamp(now, UTC)
            ).exists()
        )
        if ended:
            await self.revoke(principal.token_hash)
        else:
            self.cache.drop_local(principal.token_hash)

    async def _from_database(self, token_hash: str) -> Principal | None:
        session = (
            await AuthSession.filter(token_hash=token_hash, revoked_at=None).select_related("user").first()
        )
        if session is None or session.user.disabled or session.user.deleted_at is not None:
            return None
        return await snapshot_of(session)

    async def _touch(self, principal: Principal, now: float, started: float) -> Principal | None:
        """Record activity, at most once per touch interval (idle timeout needs it);
        None when the session was revoked meanwhile."""
        seen = datetime.fromtimestamp(now, UTC)
        touched = await AuthSession.filter(
            id=principal.session_id, token_hash=principal.token_hash, revoked_at=None
        ).update(last_seen_at=seen)
        if not touched:
            self.cache.drop_local(principal.token_hash)
            return None
        fresh = seen_at(principal, now)
        if not self.cache.evicted_since(principal.token_hash, started):
            self.cache.store_local(fresh, now)
            await self.cache.store_shared(fresh, now)
        return fresh

    # ------------------------------------------------------------------ revoke
    async def revoke(self, token_hash: str) -> None:
        """End the session everywhere: database, Redis copy, every process's cache."""
        await AuthSession.filter(token_hash=token_hash, revoked_at=None).update(
            revoked_at=datetime.fromtimestamp(self.clock(), UTC)
        )
        await self._evict(token_hash)

    async def mark_all_revoked(self, user_id: UUID, *, except_session_id: UUID | None = None) -> list[str]:
        """End every live session of the user (but one, if named) in the database, inside a
        unit of work's transaction; returns their token hashes, to evict once it commits.

        One UPDATE by user, not one per token read beforehand: a refresh between that read
        and the update would give a session a token the update no longer matches, and the
        session would survive a password reset.
        """
        now = datetime.fromtimestamp(self.clock(), UTC)
        query = AuthSession.filter(user_id=user_id, revoked_at=None)
        if except_session_id is not None:
            query = query.exclude(id=except_session_id)
        await query.update(revoked_at=now)
        # read after the update: a revoked session's token can no longer change
        token_hashes = await AuthSession.filter(user_id=user_id, revoked_at=now).values_list(
            "token_hash", flat=True
        )
        return [str(token_hash) for token_hash in token_hashes]

    async def refresh_users(self, user_ids: list[UUID]) -> None:
        """These users changed (profile, role, MFA, current organization): drop every cached
        snapshot of their sessions everywhere, so the next request reads the database."""
        for start in range(0, len(user_ids), REFRESH_BATCH):  # a deleted organization's members
            batch = user_ids[start : start + REFRESH_BATCH]
            token_hashes = await AuthSession.filter(user_id__in=batch, revoked_at=None).values_list(
                "token_hash", flat=True
            )
            await self.evict([str(token_hash) for token_hash in token_hashes])

    async def revoke_session(self, session_id: UUID) -> None:
        """End one session by id (its token may be changing under a concurrent refresh)."""
        token_hash = await self.mark_session_revoked(session_id)
        if token_hash is not None:
            await self.evict([token_hash])

    async def mark_session_revoked(self, session_id: UUID) -> str | None:
        """The database part of revoke_session: its token hash, to evict after commit."""
        await AuthSession.filter(id=session_id, revoked_at=None).update(
            revoked_at=datetime.fromtimestamp(self.clock(), UTC)
        )
        token_hash = await AuthSession.filter(id=session_id).first().values_list("token_hash", flat=True)
        return str(token_hash) if token_hash else None

    async def evict(self, token_hashes: list[str]) -> None:
        """Drop every cached copy of these sessions (this process, Redis, other processes)."""
        for token_hash in token_hashes:
            await self._evict(token_hash)

    # ------------------------------------------------------------------ listing
    def live(self, user_id: UUID) -> QuerySet[AuthSession]:
        """The user's sessions that still work (or, for bearer ones, can still be refreshed)."""
        now = datetime.fromtimestamp(self.clock(), UTC)
        return AuthSession.filter(
            user_id=user_id,
            revoked_at=None,
            expires_at__gt=now,
            last_seen_at__gte=now - timedelta(seconds=self.settings.idle_timeout_seconds),
        )

    # ------------------------------------------------------------------ rotate
    async def rotate(self, principal: Principal) -> str:
        """A new token for the same session, after a privilege change (MFA switched on):
        the old token stops working everywhere at once. 401 if the session has ended."""
        token = new_token()
        changed = await AuthSession.filter(
            id=principal.session_id, token_hash=principal.token_hash, revoked_at=None
        ).update(token_hash=hash_token(token))
        await self._evict(principal.token_hash)
        if not changed:
            raise errors.Unauthenticated("This session has ended")
        return token

    async def refresh(self, refresh_token: str) -> tuple[AuthSession, str, str] | None:
        """Exchange a bearer session's refresh token for a new access + refresh pair.

        The session keeps its row; its token changes, so the old access token stops
        working at once, and the old refresh token is remembered as spent. Presenting a
        spent one means it leaked (or a client misbehaves): the whole session is revoked.
        None when the token is unknown, spent, or its session has ended.
        """
        presented = hash_token(refresh_token)
        now = self.clock()
        seen = datetime.fromtimestamp(now, UTC)
        session = (
            await AuthSession.filter(refresh_token_hash=presented, revoked_at=None)
            .select_related("user")
            .first()
        )
        if session is None:
            spent = await SpentRefreshToken.filter(token_hash=presented).first()
            if spent is not None:
                logger.warning("spent refresh token presented; revoking session %s", spent.session_id)
                await self.revoke_session(spent.session_id)
            return None
        user = session.user
        if (
            session.expires_at <= seen
            or now - session.last_seen_at.timestamp() > self.settings.idle_timeout_seconds
            or user.disabled
            or user.deleted_at is not None
        ):
            await self.revoke(session.token_hash)
            return None
        token, refresh = new_token(), new_token()
        access_expires_at = seen + timedelta(seconds=self.settings.access_token_seconds)
        try:
            async with in_transaction():
                changed = await AuthSession.filter(
                    id=session.id, refresh_token_hash=presented, revoked_at=None
                ).update(
                    token_hash=hash_token(token),
                    refresh_token_hash=hash_token(refresh),
                    access_expires_at=access_expires_at,
                    last_seen_at=seen,
                )
                if changed:
                    await SpentRefreshToken.create(session_id=session.id, token_hash=presented)
        except IntegrityError:
            changed = 0
        await self._evict(session.token_hash)  # the previous access token
        if not changed:
            # a concurrent refresh with the same token got there first: that is reuse too
            logger.warning("refresh token used twice at once; revoking session %s", session.id)
            await self.revoke_session(session.id)
            return None
        session.token_hash = hash_token(token)
        session.refresh_token_hash = hash_token(refresh)
        session.access_expires_at = access_expires_at
        session.last_seen_at = seen
        return session, token, refresh

    async def _evict(self, token_hash: str) -> None:
        await self._revocations.evict(token_hash)

    def watch_evictions(self, watcher: Callable[[str | None], None]) -> None:
        """`watcher(token_hash)` on every eviction this process hears of, whoever made it
        (None: every session, after a pub/sub gap): a revocation, or a change to what a
        snapshot holds (roles, memberships). Open event streams check their session then."""
        self.cache.watch_evictions(watcher)

    def forget_locally(self, token_hash: str | None = None) -> None:
        """Evict one session (or all) from this process's cache only."""
        self.cache.forget_locally(token_hash)
