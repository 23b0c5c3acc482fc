"""Scheduled work in worker processes: the coaching reminder sweeper (app/coaching/reminders.py).

`ReminderScheduler` is a Dramatiq middleware that the worker process's entry module
(tasks/worker.py) adds to its broker: after the worker boots it starts a thread that runs
the sweeper in an event loop of its own, with database connections of its own
(app.core.database.own_database), and stops it before the worker shuts down. Each
worker process runs one sweeper; several sweeping at once is safe (a reminder's row is
unique, so one insert wins). API processes never add it: the embedded default (no
broker) runs the sweeper in the API process instead (app.main).

What the sweeper stages goes through the outbox; the API processes' relays publish it
within `outbox.relay_interval_seconds` (the worker has no relay to wake).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import dramatiq

from app.coaching.reminders import ReminderSweeper, reminder_sweeper
from app.core.database import own_database
from app.core.settings import Settings
from app.core.unit_of_work import UnitsOfWork
from app.outbox.staging import RELAY_WAKE

logger = logging.getLogger("tandem.scheduler")
STOP_TIMEOUT_SECONDS = 10


def _no_relay_here(_: list[None]) -> None:
    """A worker process runs no outbox relay: the API processes' relays poll for what the
    sweeper staged."""


class ReminderScheduler(dramatiq.Middleware):
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sweeper: ReminderSweeper | None = None
        self._started = threading.Event()

    def after_worker_boot(self, broker: dramatiq.Broker, worker: Any) -> None:
        """Start the sweeper's thread."""
        self._thread = threading.Thread(target=self._run, name="tandem-reminders", daemon=True)
        self._thread.start()
        self._started.wait(timeout=STOP_TIMEOUT_SECONDS)

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: Any) -> None:
        """Stop the sweeper between two sweeps (a sweep under way finishes)."""
        loop, sweeper, thread = self._loop, self._sweeper, self._thread
        if loop is not None and sweeper is not None and not loop.is_closed():
            loop.call_soon_threadsafe(sweeper.stop)
        if thread is not None:
            thread.join(timeout=STOP_TIMEOUT_SECONDS)

    def _run(self) -> None:
        try:
            asyncio.run(self._sweep_until_stopped())
        except Exception:
            logger.exception("the reminder sweeper stopped")

    async def _sweep_until_stopped(self) -> None:
        units = UnitsOfWork()
        units.handle(RELAY_WAKE, _no_relay_here)
        self._sweeper = reminder_sweeper(self._settings, units=units)
        self._loop = asyncio.get_running_loop()
        self._started.set()
        async with own_database(self._settings.database):
            await self._sweeper.run()
