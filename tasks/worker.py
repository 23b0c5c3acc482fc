"""Entry module of a worker process: `dramatiq tasks.worker` or `python server.py worker`."""

from app.core.logging import configure_logging
from app.core.settings import load_settings
from tasks.broker import configure_broker

settings = load_settings()
configure_logging(settings.logging.level)
broker = configure_broker(settings)
