"""Publish committed outbox rows to the broker; re-publish what a crash left behind.

Every API process runs one relay. A row is claimed with a conditional UPDATE (free,
or its claim expired), published, then deleted. Two relays never publish a row at the
same moment; should a relay die between publishing and deleting, the row is published
again after its claim expires, and the actor's idempotency (message_id) makes that
harmless. A publish that fails (broker down) leaves the row for the next pass.

Local jobs: actors named in `local_jobs` are not published but run here, by the relay,
because they need the database (a worker process has none; the embedded worker's
threads cannot use the API's connections). A job runs in one transaction with the
deletion of its row, so its effects and the row's end commit together: a job that
fails or a process that dies leaves the row for a later pass, and a job takes effect
once (jobs are short: one outlasting `claim_seconds` could be run by a second relay).
The job gets that unit of work: what it stages wakes this relay once it commits.
Forgot-password uses this to keep the account lookup off the response
path (app/auth/forgot_password.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import Q

from app.core.settings import OutboxSettings
from app.core.unit_of_work import UnitOfWork, UnitsOfWork
from app.outbox.staging import RELAY_WAKE
from models import OutboxMessage

logger = logging.getLogger("tandem.outbox")
Publish = Callable[[str, dict[str, Any]], None]  # (actor, payload); blocking, may raise
LocalJob = Callable[[dict[str, Any], UnitOfWork], Awaitable[None]]  # (payload, its unit of work)


class OutboxRelay:
    def __init__(
        self,
        settings: OutboxSettings,
        *,
        publish: Publish,
        units: UnitsOfWork,
        local_jobs: Mapping[str, LocalJob] | None = None,
    ) -> None:
        self.settings = settings
        self._publish = publish
        self._units = units
        self._local_jobs = dict(local_jobs or {})
        self._wake = asyncio.Event()
        self._running = False
        # this relay publishes what its app's units of work stage, as soon as they commit
        units.handle(RELAY_WAKE, self._woken_by_commit)

    def _woken_by_commit(self, _: list[None]) -> None:
        self.wake()

    def wake(self) -> None:
        self._wake.set()

    async def relay_once(self) -> int:
        """One pass: publish up to batch_size free rows, oldest first; returns how many."""
        now = datetime.now(UTC)
        free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
        candidates = await (
            OutboxMessage.filter(free)
            .order_by("created_at")
            .limit(self.settings.batch_size)
            .values_list("id", flat=True)
        )
        published = 0
        for message_id in candidates:
            if await self._publish_one(message_id, now):
                published += 1
        return published

    async def _publish_one(self, message_id: Any, now: datetime) -> bool:
        claim_until = now + timedelta(seconds=self.settings.claim_seconds)
        free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
        claimed = await OutboxMessage.filter(free, id=message_id).update(claimed_until=claim_until)
        if not claimed:
            return False  # another relay has it
        message = await OutboxMessage.get_or_none(id=message_id)
        if message is None:
            return False
        job = self._local_jobs.get(message.actor)
        if job is not None:
            return await self._run_local(message, job)
        try:
            # Dramatiq's enqueue is blocking I/O (up to the broker's socket timeout)
            await asyncio.to_thread(self._publish, message.actor, message.payload)
        except Exception as error:  # noqa: BLE001 - any broker failure: keep the row for later
            logger.warning("outbox: publishing %s failed (%s); will retry", message_id, error)
            await self._release(message, error)
            return False
        await OutboxMessage.filter(id=message_id).delete()
        return True

    async def _run_local(self, message: OutboxMessage, job: LocalJob) -> bool:
        try:
            async with self._units() as work:
                # the delete comes first and holds the row: a second relay that claimed it
                # too (its claim ran out mid-job) waits here, then finds nothing to delete
                # and does not run the job again; a rollback puts the row back for later
                if not await OutboxMessage.filter(id=message.id).delete():
                    return False
                await job(message.payload, work)
        except Exception as error:  # noqa: BLE001 - any failure: roll back, keep the row for later
            # the class only: a job's error may quote its payload (an email address)
            logger.warning(
                "outbox: local job %s of %s failed (%s); will retry",
                message.actor,
                message.id,
                type(error).__name__,
            )
            await self._release(message, error)
            return False
        return True

    async def _release(self, message: OutboxMessage, error: Exception) -> None:
        await OutboxMessage.filter(id=message.id).update(
            claimed_until=None,
            publish_attempts=message.publish_attempts + 1,
            last_error=str(error)[:500],
        )

    async def run(self) -> None:
        """Until stop(): a pass when woken after a commit, and every relay_interval_seconds."""
        self._running = True
        while self._running:
            try:
                await self.relay_once()
            except Exception:  # the database is down: say so, and try again next pass
                logger.exception("outbox relay pass failed")
            try:
                await asyncio.wait_for(self._wake.wait(), self.settings.relay_interval_seconds)
            except TimeoutError:
                pass
            self._wake.clear()

    def stop(self) -> None:
        self._running = False
        self._wake.set()
