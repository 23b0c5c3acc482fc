"""How much background work is waiting: the outbox (a table) and the broker's queues.

Read by the admin metrics and the system diagnostics. The broker is the composition
root's to know (tasks.broker): it hands in `read_depths`, a blocking read of the
broker's queue lengths, which is run off the event loop and bounded in time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise import connections

from app.core.unit_of_work import CONNECTION
from models import OutboxMessage

logger = logging.getLogger("tandem.queues")
# a hanging broker costs an admin request this long, not the broker client's 5 s timeout
BROKER_READ_TIMEOUT_SECONDS = 1.0
DEAD_LETTER_SUFFIX = ".XQ"
OUTBOX_COUNT_CAP = 10_000
_CAPPED_COUNT = (
    f"SELECT COUNT(*) AS n FROM (SELECT 1 FROM outbox_messages LIMIT {OUTBOX_COUNT_CAP}) AS capped"
)

ReadDepths = Callable[[], dict[str, int]]


@dataclass(frozen=True, slots=True)
class OutboxBacklog:
    depth: int  # at most OUTBOX_COUNT_CAP
    # 0 when the outbox is empty
    oldest_age_seconds: float


async def outbox_backlog() -> OutboxBacklog:
    """Rows not yet handed to the broker (counted up to OUTBOX_COUNT_CAP: a backlog of
    millions must not make every scrape or admin page count them all), and how long the
    oldest has waited."""
    rows = await connections.get(CONNECTION).execute_query_dict(_CAPPED_COUNT)
    depth = int(rows[0]["n"])
    oldest = await OutboxMessage.all().order_by("created_at").first().values_list("created_at", flat=True)
    age = (datetime.now(UTC) - oldest).total_seconds() if oldest is not None else 0.0
    return OutboxBacklog(depth=depth, oldest_age_seconds=max(age, 0.0))


async def broker_depths(read_depths: ReadDepths) -> dict[str, int] | None:
    """Messages per broker queue (`<q>` ready, `<q>.DQ` delayed, `<q>.XQ` dead letters);
    None when the broker did not answer within BROKER_READ_TIMEOUT_SECONDS."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(read_depths), BROKER_READ_TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001 - an unreachable broker is reported as unknown
        logger.warning("broker queue depths unavailable (%s)", type(error).__name__)
        return None


def dead_letters(depths: dict[str, int]) -> int:
    """Messages that exhausted their retries, over every queue."""
    return sum(count for queue, count in depths.items() if queue.endswith(DEAD_LETTER_SUFFIX))
