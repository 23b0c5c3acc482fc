"""Entry module of a worker process: `dramatiq tasks.worker` or `python server.py worker`.

Importing it loads the settings, builds the broker, binds the actors and adds the
scheduled work of worker processes (tasks/scheduler.py); the dramatiq CLI then consumes
from Dramatiq's global broker, which is ours.
"""

import sys

from app.core.logging import configure_logging
from app.core.metrics import Metrics
from app.core.settings import Settings, SettingsError
from app.core.settings_sources import load_settings
from tasks.broker import configure_broker
from tasks.scheduler import ReminderScheduler

NO_BROKER = (
    "broker.url: a worker process needs BROKER_URL or REDIS_URL; without either, "
    "the API process runs the actors itself"
)


def _settings() -> Settings:
    """The settings, or one line naming what is wrong and exit code 2: a configuration
    problem, not a crash, so no traceback (dramatiq would print one per process)."""
    try:
        settings = load_settings()
        if not settings.broker_url:
            # an in-process broker lives in one process: a separate worker would wait forever
            raise SettingsError(NO_BROKER)
    except SettingsError as error:
        sys.stderr.write(f"tandem worker: {error}\n")
        raise SystemExit(2) from None
    return settings


settings = _settings()
configure_logging(settings.logging.level, json=settings.json_logs)
broker = configure_broker(settings, metrics=Metrics(settings.metrics))
# worker processes sweep for due reminders (API processes never: tasks/scheduler.py)
broker.add_middleware(ReminderScheduler(settings))
