"""Entry module of a worker process: `dramatiq tasks.worker` or `python server.py worker`.

Importing it loads the settings, builds the broker and binds the actors; the dramatiq
CLI then consumes from Dramatiq's global broker, which is ours.
"""

from app.core.logging import configure_logging
from app.core.settings import SettingsError, load_settings
from tasks.broker import configure_broker

settings = load_settings()
if not settings.broker_url:
    # An in-process broker lives in one process: a separate worker would wait forever.
    raise SettingsError(
        "broker.url: a worker process needs BROKER_URL or REDIS_URL; without either, "
        "the API process runs the actors itself"
    )
configure_logging(settings.logging.level)
broker = configure_broker(settings)
