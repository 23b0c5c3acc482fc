"""A unit of work: one transaction, and the effects that must follow it once it commits.

    async with units() as work:
        user = await User.create(...)
        await stage_email(work, "verify_email", to=user.email, context={...})  # wakes the relay
        work.add(REFRESH_USERS, user.id)
        work.audit("user.created", target=("user", user.id))  # a row in this transaction
    # committed: the relay is woken, the user's cached session snapshots are dropped

A service names what must happen (an item of an `EffectKind`), never who does it: the app
registers one handler per kind at start-up (`UnitsOfWork.handle`), so the app's own relay
and session store answer, and two apps in one process never reach each other's. Effects
run only after the commit, never after a rollback; each kind once, with its distinct
items, in the order the kinds were first added. A unit opened inside another hands its
effects to the outer one, whose commit is the real one.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.transactions import in_transaction

from app.core import audit
from models.audit import AuditEvent

logger = logging.getLogger("tandem.unit_of_work")
Item = TypeVar("Item")
Handler = Callable[[list[Item]], Awaitable[None] | None]
CONNECTION = "default"  # app/core/database.py names its one connection so

# The unit the current task is inside, to nest units: per task, like Tortoise's own
# current transaction, so it is never shared between requests or between apps.
_current_unit: ContextVar[UnitOfWork | None] = ContextVar("tandem_unit_of_work", default=None)


@dataclass(frozen=True, eq=False)
class EffectKind(Generic[Item]):
    """Something to do after commit; its handler gets the distinct items added to a unit."""

    name: str


class NestedInBareTransaction(RuntimeError):
    """A unit opened inside a bare in_transaction() would run its effects at a savepoint,
    before the real commit: open the outer transaction as a unit of work too."""


class UnitsOfWork:
    """An app's source of units of work, with its handlers of effects (one per kind)."""

    def __init__(self) -> None:
        self._handlers: dict[EffectKind[Any], Handler[Any]] = {}
        # effects still running for a task that was cancelled meanwhile: the loop keeps
        # only weak references to tasks, so hold them until they end
        self._finishing: set[asyncio.Task[None]] = set()

    def handle(self, kind: EffectKind[Item], handler: Handler[Item]) -> None:
        """`handler` runs the kind's effects from now on (a restarted relay replaces its
        predecessor)."""
        self._handlers[kind] = handler

    def handles(self, kind: EffectKind[Any]) -> bool:
        return kind in self._handlers

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self)

    async def run_committed(self, effects: dict[EffectKind[Any], dict[Any, None]]) -> None:
        """Run a committed unit's effects to the end, even if the task awaiting them is
        cancelled: Sanic cancels a handler's task when its client disconnects, and the
        change is already committed (a revocation cut short would leave the revoked
        sessions in the caches)."""
        running = asyncio.ensure_future(self._run(effects))
        self._finishing.add(running)
        running.add_done_callback(self._finishing.discard)
        await asyncio.shield(running)

    async def _run(self, effects: dict[EffectKind[Any], dict[Any, None]]) -> None:
        for kind, items in effects.items():
            try:
                outcome = self._handlers[kind](list(items))
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception:
                # Safe to log and go on: each effect only hastens what happens anyway. The
                # relay also polls every relay_interval_seconds; cached session snapshots
                # expire (local_cache_seconds, and the Redis copy within REDIS_TTL_SECONDS),
                # and an eviction Redis could not take is broadcast again on its recovery.
                logger.exception("after-commit effect %r failed", kind.name)


class UnitOfWork:
    """One transaction (Tortoise's, on the default connection) and its effects."""

    def __init__(self, units: UnitsOfWork) -> None:
        self._units = units
        self._effects: dict[EffectKind[Any], dict[Any, None]] = {}  # dicts: ordered, distinct
        self._audit: list[audit.AuditEntry] = []
        self._outer: UnitOfWork | None = None
        self._transaction: Any = None
        self._token: Any = None

    def add(self, kind: EffectKind[Item], *items: Item) -> None:
        """After commit, run `kind`'s handler (with these items among its own)."""
        if not self._units.handles(kind):
            # fail at the change, not silently after it: nobody would run this effect
            raise LookupError(f"no handler for the effect {kind.name!r}; the app registers one at start-up")
        self._effects.setdefault(kind, {}).update(dict.fromkeys(items))

    def audit(
        self,
        action: str,
        *,
        target: tuple[str, Any],
        organization_id: Any = None,
        changed_fields: Any = (),
        **actor: Any,
    ) -> None:
        """Record `action` on `target` in the audit log, in this transaction (app.core.audit;
        `actor_id=` names who acted when the request's user did not, None the system)."""
        self._audit.append(
            audit.entry(
                action, target=target, organization_id=organization_id, changed_fields=changed_fields, **actor
            )
        )

    async def __aenter__(self) -> Self:
        self._outer = _current_unit.get()
        if self._outer is None and isinstance(connections.get(CONNECTION), TransactionalDBClient):
            raise NestedInBareTransaction(NestedInBareTransaction.__doc__)
        self._transaction = in_transaction(CONNECTION)
        await self._transaction.__aenter__()
        self._token = _current_unit.set(self)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        _current_unit.reset(self._token)
        if exc_type is None and self._outer is None and self._audit:
            try:  # inside the transaction: the change and its record commit together
                await AuditEvent.bulk_create([AuditEvent(**entry.row()) for entry in self._audit])
            except BaseException as error:
                await self._transaction.__aexit__(type(error), error, error.__traceback__)
                raise
        # commits, or rolls back when the block raised; a failed commit raises here
        await self._transaction.__aexit__(exc_type, exc, traceback)
        if exc_type is not None:
            return  # rolled back: nothing happened, so nothing follows
        if self._outer is not None:
            self._outer._audit.extend(self._audit)
            for kind, items in self._effects.items():
                self._outer._effects.setdefault(kind, {}).update(items)
        else:
            await self._units.run_committed(self._effects)
