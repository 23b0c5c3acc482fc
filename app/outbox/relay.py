"""Publish committed outbox rows to the broker; re-publish what a crash left behind.

Every API process runs one relay. A row is claimed with a conditional UPDATE (free,
or its claim expired), published, then deleted. Two relays never publish a row at the
same moment; should a relay die between publishing and deleting, the row is published
again after its claim expires, and the actor's idempotency (message_id) makes that
harmless. A publish that fails (broker down) leaves the row for the next pass.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import Q

from app.core.settings import OutboxSettings
from models import OutboxMessage

logger = logging.getLogger("tandem.outbox")
Publish = Callable[[str, dict[str, Any]], None]  # (actor, payload); blocking, may raise


class OutboxRelay:
    def __init__(self, settings: OutboxSettings, *, publish: Publish) -> None:
        self.settings = settings
        self._publish = publish
        self._wake = asyncio.Event()
        self._running = False

    def wake(self) -> None:
        self._wake.set()

    async def relay_once(self) -> int:
        """One pass: publish up to batch_size free rows, oldest first; returns how many."""
        now = datetime.now(UTC)
        free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
        candidates = await (
            OutboxMessage.filter(free).order_by("created_at").limit(self.settings.batch_size)
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
        try:
            # Dramatiq's enqueue is blocking I/O (up to the broker's socket timeout)
            await asyncio.to_thread(self._publish, message.actor, message.payload)
        except Exception as error:  # noqa: BLE001 - any broker failure: keep the row for later
            logger.warning("outbox: publishing %s failed (%s); will retry", message_id, error)
            await OutboxMessage.filter(id=message_id).update(
                claimed_until=None, publish_attempts=message.publish_attempts + 1,
                last_error=str(error)[:500],
            )
            return False
        await OutboxMessage.filter(id=message_id).delete()
        return True

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
