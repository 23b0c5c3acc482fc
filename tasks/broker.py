"""The Dramatiq broker, chosen by URL: Redis (production), RabbitMQ, or in-process.

Retries with exponential backoff, a time limit per message, and a dead-letter
queue: Redis keeps messages that exhaust their retries in `dramatiq:<queue>.XQ`
for `dead_letter_ttl_ms` (RabbitMQ: `<queue>.XQ`). The in-process broker is the
embedded default: one command serves the API and runs the actors in threads.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import dramatiq
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AgeLimit, Callbacks, Pipelines, Retries, ShutdownNotifications, TimeLimit

from app.core.settings import Settings
from tasks import runtime
from tasks.email import ACTORS

logger = logging.getLogger("tandem.tasks")
# Sockets to the broker never wait forever: an enqueue from a request must fail, not hang.
BROKER_SOCKET_TIMEOUT_SECONDS = 5
HEALTH_TIMEOUT_SECONDS = 0.5


def _middleware(settings: Settings) -> list[dramatiq.Middleware]:
    broker = settings.broker
    return [
        AgeLimit(),
        TimeLimit(time_limit=broker.time_limit_ms),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        Retries(
            max_retries=broker.max_retries,
            min_backoff=broker.min_backoff_ms,
            max_backoff=broker.max_backoff_ms,
        ),
    ]


def _with_timeouts(url: str) -> str:
    separator = "&" if "?" in url else "?"
    return (
        f"{url}{separator}socket_timeout={BROKER_SOCKET_TIMEOUT_SECONDS}"
        f"&socket_connect_timeout={BROKER_SOCKET_TIMEOUT_SECONDS}"
    )


def build_broker(settings: Settings) -> dramatiq.Broker:
    url = settings.broker_url
    middleware = _middleware(settings)
    scheme = urlsplit(url).scheme
    if not url:
        broker: dramatiq.Broker = StubBroker(middleware=middleware)
    elif scheme in {"redis", "rediss"}:
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(
            url=_with_timeouts(url),
            middleware=middleware,
            dead_message_ttl=settings.broker.dead_letter_ttl_ms,
            namespace="tandem",
        )
    elif scheme in {"amqp", "amqps"}:
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=url, middleware=middleware)
    else:
        raise ValueError(f"broker.url: unsupported scheme {scheme!r} (redis://, amqp:// or empty)")
    return broker


def configure_broker(settings: Settings) -> dramatiq.Broker:
    """Build the broker, make it Dramatiq's global one, and bind our actors to it."""
    broker = build_broker(settings)
    dramatiq.set_broker(broker)
    for actor in ACTORS:
        actor.broker = broker
        broker.declare_actor(actor)
    runtime.configure(settings)
    return broker


def start_in_process_worker(broker: dramatiq.Broker, *, threads: int = 2) -> dramatiq.Worker:
    """The embedded default's worker: threads in the API process."""
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=100)
    worker.start()
    return worker


def stop_worker(worker: dramatiq.Worker) -> None:
    worker.stop(timeout=5000)


def broker_is_healthy(broker: dramatiq.Broker | None) -> bool:
    """True when the broker answers; bounded, so health stays under a second."""
    if broker is None:
        return False
    client = getattr(broker, "client", None)
    if client is None or not isinstance(client, redis.Redis):
        return True  # in-process broker: alive as long as we are
    kwargs = client.connection_pool.connection_kwargs
    probe = redis.Redis(
        host=kwargs.get("host", "localhost"), port=kwargs.get("port", 6379), db=kwargs.get("db", 0),
        password=kwargs.get("password"), username=kwargs.get("username"),
        socket_timeout=HEALTH_TIMEOUT_SECONDS, socket_connect_timeout=HEALTH_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 0),  # one try: health must answer within a second
    )
    try:
        return bool(probe.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        probe.close()
