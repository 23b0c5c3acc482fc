"""Server-side sessions: create, look up (three cache levels), touch, revoke.

Lookup order: this process's cache (no I/O) → Redis (shared) → the database.
A process-local cache is only safe if revocation reaches every process at once,
so every revoke deletes the Redis copy and is broadcast over Redis pub/sub;
each process evicts on receipt. The local entries also expire after
`local_cache_seconds`, which bounds staleness if a broadcast is missed, and the
whole local cache is dropped whenever the subscription reconnects.

A lookup that read the database just before a revocation committed must not put
what it read back into a cache after the revocation cleared it. So every eviction
leaves a short-lived tombstone in Redis that the (Lua) store respects, and each
process remembers when it last heard of an eviction, to drop a lookup's result
that began before it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from redis.exceptions import RedisError
from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from app.auth.principal import Principal
from app.auth.tokens import hash_token, new_token
from app.core import errors
from app.core.redis_gateway import RedisGateway, RedisUnavailable
from app.core.settings import SessionSettings
from app.users.schemas import UserPublic
from models import AuthSession, SpentRefreshToken, User

logger = logging.getLogger("tandem.sessions")
REDIS_PREFIX = "tandem:session:"
REVOCATION_CHANNEL = "tandem:session-revocations"
# longest stored IP address and User-Agent (the columns' sizes)
IP_ADDRESS_LENGTH = 45
USER_AGENT_LENGTH = 512
# the Redis copy outlives local copies but is still short: it bounds how long a
# revocation made while Redis was down can be undone by a stale shared copy
REDIS_TTL_SECONDS = 300
EVICTED_PREFIX = "tandem:session-evicted:"
# how long an eviction bars storing copies: longer than any lookup takes from its
# database read to its store (a lookup slower than that could still re-cache)
EVICTION_MEMORY_SECONDS = 10
# SET unless an eviction happened within EVICTION_MEMORY_SECONDS, in one step
STORE_UNLESS_EVICTED = """
if redis.call('exists', KEYS[2]) == 1 then return 0 end
redis.call('set', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
"""
LISTEN_POLL_SECONDS = 0.5


class SessionStore:
    def __init__(
        self,
        settings: SessionSettings,
        *,
        redis: RedisGateway | None,
        clock: Callable[[], float] = time.time,
    ):
        self.settings = settings
        self.clock = clock
        self._redis = redis
        self._local: dict[str, tuple[Principal, float]] = {}
        self._pending_revocations: set[str] = set()
        # token hash → time.monotonic() of the last eviction heard of, oldest first
        self._evicted_at: dict[str, float] = {}
        self._all_evicted_at = 0.0  # the whole local cache was dropped
        self._listening = False
        self._store_script = None
        if redis is not None:
            redis.on_recovery(self._flush_pending_revocations)
            self._store_script = redis.client.register_script(STORE_UNLESS_EVICTED)

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
        token_hash = hash_token(token)
        now = self.clock()
        # before any await: an eviction heard of after this voids what this lookup read
        started = time.monotonic()
        principal = self._from_local(token_hash, now)
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
        principal = await self._from_redis(token_hash)
        from_database = principal is None
        if from_database:
            principal = await self._from_database(token_hash)
        if self._evicted_since(token_hash, started):
            return await self._from_database(token_hash)  # read again, cache nothing
        if principal is not None:
            self._store_local(principal, now)  # no await since the check: nothing slips in
            if from_database:
                await self._store_shared(principal, now)
        return principal

    def _evicted_since(self, token_hash: str, started: float) -> bool:
        return max(self._evicted_at.get(token_hash, 0.0), self._all_evicted_at) >= started

    def _note_eviction(self, token_hash: str) -> None:
        now = time.monotonic()
        self._evicted_at.pop(token_hash, None)
        self._evicted_at[token_hash] = now  # at the end: the dict stays oldest first
        while self._evicted_at:
            oldest = next(iter(self._evicted_at))
            if now - self._evicted_at[oldest] <= EVICTION_MEMORY_SECONDS:
                break
            del self._evicted_at[oldest]

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
            self._local.pop(principal.token_hash, None)

    def _from_local(self, token_hash: str, now: float) -> Principal | None:
        entry = self._local.get(token_hash)
        if entry is None:
            return None
        principal, cached_at = entry
        if now - cached_at > self.settings.local_cache_seconds:
            del self._local[token_hash]
            return None
        return principal

    def _store_local(self, principal: Principal, now: float) -> None:
        if self.settings.local_cache_size == 0 or self.settings.local_cache_seconds == 0:
            return
        while len(self._local) >= self.settings.local_cache_size:
            del self._local[next(iter(self._local))]  # oldest first (insertion order)
        self._local[principal.token_hash] = (principal, now)

    async def _from_redis(self, token_hash: str) -> Principal | None:
        if self._redis is None:
            return None
        try:
            raw = await self._redis.run(lambda client: client.get(REDIS_PREFIX + token_hash))
        except RedisUnavailable:
            return None
        return Principal.from_bytes(raw) if raw else None

    async def _store_shared(self, principal: Principal, now: float) -> None:
        if self._redis is None or self._store_script is None:
            return
        ttl = max(1, min(REDIS_TTL_SECONDS, int(principal.expires_at - now)))
        keys = [REDIS_PREFIX + principal.token_hash, EVICTED_PREFIX + principal.token_hash]
        script = self._store_script
        try:
            # the script object loads itself again if Redis restarted and lost it
            await self._redis.run(lambda client: script(keys=keys, args=[principal.to_bytes(), ttl]))
        except RedisUnavailable:
            pass

    async def _from_database(self, token_hash: str) -> Principal | None:
        session = (
            await AuthSession.filter(token_hash=token_hash, revoked_at=None).select_related("user").first()
        )
        if session is None or session.user.disabled or session.user.deleted_at is not None:
            return None
        return _principal_of(session, session.user)

    async def _touch(self, principal: Principal, now: float, started: float) -> Principal | None:
        """Record activity, at most once per touch interval (idle timeout needs it);
        None when the session was revoked meanwhile."""
        seen = datetime.fromtimestamp(now, UTC)
        touched = await AuthSession.filter(
            id=principal.session_id, token_hash=principal.token_hash, revoked_at=None
        ).update(last_seen_at=seen)
        if not touched:
            self._local.pop(principal.token_hash, None)
            return None
        fresh = Principal(**{**_fields(principal), "last_seen_at": now})
        if not self._evicted_since(principal.token_hash, started):
            self._store_local(fresh, now)
            await self._store_shared(fresh, now)
        return fresh

    # ------------------------------------------------------------------ revoke
    async def revoke(self, token_hash: str) -> None:
        """End the session everywhere: database, Redis copy, every process's cache."""
        await AuthSession.filter(token_hash=token_hash, revoked_at=None).update(
            revoked_at=datetime.fromtimestamp(self.clock(), UTC)
        )
        await self._evict(token_hash)

    async def revoke_all(self, user_id: UUID, *, except_session_id: UUID | None = None) -> int:
        """End every live session of the user (but one, if named); returns how many."""
        token_hashes = await self.mark_all_revoked(user_id, except_session_id=except_session_id)
        await self.evict(token_hashes)
        return len(token_hashes)

    async def mark_all_revoked(self, user_id: UUID, *, except_session_id: UUID | None = None) -> list[str]:
        """The database part of revoke_all, for a unit of work's transaction: the revoked
        sessions' token hashes, to evict once it commits.

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

    async def refresh_user(self, user_id: UUID) -> None:
        """The user changed (profile, role, MFA, current organization): drop every cached
        snapshot of their sessions everywhere, so the next request reads the database."""
        await self.refresh_users([user_id])

    async def refresh_users(self, user_ids: list[UUID]) -> None:
        token_hashes = await AuthSession.filter(user_id__in=user_ids, revoked_at=None).values_list(
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
        """Drop every cached copy of a token (this process, Redis, other processes)."""
        self.forget_locally(token_hash)
        if self._redis is not None:
            try:
                await self._broadcast_revocation(token_hash)
            except RedisUnavailable:
                self._pending_revocations.add(token_hash)

    async def _broadcast_revocation(self, token_hash: str) -> None:
        if self._redis is None:
            return

        async def delete_and_publish(client):  # type: ignore[no-untyped-def]
            # MULTI/EXEC: no store script may run between the tombstone and the delete
            async with client.pipeline(transaction=True) as pipe:
                pipe.set(EVICTED_PREFIX + token_hash, b"1", ex=EVICTION_MEMORY_SECONDS)
                pipe.delete(REDIS_PREFIX + token_hash)
                pipe.publish(REVOCATION_CHANNEL, token_hash)
                await pipe.execute()

        await self._redis.run(delete_and_publish)

    async def _flush_pending_revocations(self) -> None:
        while self._pending_revocations:
            token_hash = self._pending_revocations.pop()
            try:
                await self._broadcast_revocation(token_hash)
            except RedisUnavailable:
                self._pending_revocations.add(token_hash)
                return

    def forget_locally(self, token_hash: str | None = None) -> None:
        """Evict one session (or all) from this process's cache, and remember it, so
        that a lookup already under way does not cache what it read before."""
        if token_hash is None:
            self._local.clear()
            self._all_evicted_at = time.monotonic()
        else:
            self._local.pop(token_hash, None)
            self._note_eviction(token_hash)

    def stop_listening(self) -> None:
        self._listening = False

    async def listen_for_revocations(self) -> None:
        """Runs until stop_listening(): evicts sessions revoked by other processes.

        Polls with a timeout and a flag rather than relying on task cancellation,
        which redis-py's pub/sub reads do not reliably honour.
        """
        if self._redis is None:
            return
        self._listening = True
        client = self._redis.subscription_client()
        try:
            while self._listening:
                try:
                    async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                        await pubsub.subscribe(REVOCATION_CHANNEL)
                        # anything revoked while we were not listening is unknown: start clean
                        self.forget_locally()
                        while self._listening:
                            message = await pubsub.get_message(timeout=LISTEN_POLL_SECONDS)
                            if message is not None:
                                self.forget_locally(message["data"].decode())
                except (RedisError, OSError) as error:
                    logger.warning("session revocation feed lost (%s); reconnecting", error)
                    self.forget_locally()
                    await asyncio.sleep(LISTEN_POLL_SECONDS)
        finally:
            await client.aclose()


def device_of(ip_address: str, user_agent: str) -> tuple[str, str]:
    """The (IP address, User-Agent) pair as a session stores it and emails show it."""
    return ip_address[:IP_ADDRESS_LENGTH], _printable(user_agent)[:USER_AGENT_LENGTH]


def _printable(header: str) -> str:
    """A header as storable text: bytes that are not UTF-8 arrive as lone surrogates,
    which the database driver cannot encode, and PostgreSQL text refuses NUL; either
    would turn a client's odd User-Agent into a 500 at sign-in."""
    try:
        raw = header.encode("utf-8", "surrogateescape")  # the bytes the client sent
    except UnicodeEncodeError:  # a surrogate that no byte decodes to
        raw = header.encode("utf-8", "replace")
    text = raw.decode("utf-8", "replace")  # each invalid byte becomes U+FFFD
    return "".join(character for character in text if character.isprintable())


def _fields(principal: Principal) -> dict[str, object]:
    return {name: getattr(principal, name) for name in Principal.__slots__}  # type: ignore[attr-defined]


def _principal_of(session: AuthSession, user: User) -> Principal:
    return Principal(
        session_id=session.id,
        token_hash=session.token_hash,
        user_id=user.id,
        global_role=user.global_role,
        current_organization_id=user.current_organization_id,
        # a bearer token ends with its access lifetime, at the latest with the session
        expires_at=min(
            session.expires_at.timestamp(),
            session.access_expires_at.timestamp() if session.access_expires_at else math.inf,
        ),
        last_seen_at=session.last_seen_at.timestamp(),
        user_json=UserPublic.of(user).model_dump_json().encode(),
    )
