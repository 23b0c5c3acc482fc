"""The Dramatiq broker, chosen by URL: Redis (production), RabbitMQ, or in-process.

Every broker gets retries with exponential backoff and a time limit from
settings.broker. A message that exhausts its retries is dead-lettered: Redis keeps it
in `tandem:<queue>.XQ` for `dead_letter_ttl_ms`, RabbitMQ in the `<queue>.XQ` queue,
the in-process broker in memory. Actors are declared on a placeholder broker at import
and re-bound here, so import order never matters (docs/workers.md).
"""

from __future__ import annotations

import weakref

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Callbacks, Pipelines, Retries, ShutdownNotifications, TimeLimit
from redis.backoff import NoBackoff
from redis.retry import Retry as RedisRetry

from app.core.metrics import Metrics
from app.core.settings import BrokerSettings, Settings, SettingsError
from tasks.discovery import actor_modules
from tasks.observability import Observability

NAMESPACE = "tandem"  # prefix of every Redis key the broker writes
# An enqueue from a request handler must fail, not hang, when Redis stops answering.
BROKER_SOCKET_TIMEOUT_SECONDS = 5
# GET /api/health answers within a second (SPEC §4): connect and PING get half each.
HEALTH_TIMEOUT_SECONDS = 0.25
_health_clients: weakref.WeakKeyDictionary[dramatiq.Broker, redis.Redis] = weakref.WeakKeyDictionary()


def _middleware(settings: BrokerSettings, metrics: Metrics) -> list[dramatiq.Middleware]:
    return [
        Observability(metrics),  # first: see tasks/observability.py
        TimeLimit(time_limit=settings.time_limit_ms),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        # Retries reads a backoff of 0 as "unset" (15 s minimum, 7 days maximum), so
        # 0 ms is passed on as 1 ms, which is what an operator setting 0 means.
        Retries(
            max_retries=settings.max_retries,
            min_backoff=max(settings.min_backoff_ms, 1),
            max_backoff=max(settings.max_backoff_ms, 1),
        ),
    ]


def _rabbitmq(url: str, settings: BrokerSettings, metrics: Metrics) -> dramatiq.Broker:
    try:
        from dramatiq.brokers import rabbitmq
    except ImportError:
        raise SettingsError(
            "broker.url: amqp:// needs RabbitMQ support, which is not installed "
            "(add the dramatiq[rabbitmq] extra), or use a redis:// URL"
        ) from None
    # Dramatiq reads this once from the environment at import; ours comes from settings.
    # RabbitMQ fixes it when `<queue>.XQ` is first declared: to change it, delete that queue.
    rabbitmq.DEAD_MESSAGE_TTL = settings.dead_letter_ttl_ms
    return rabbitmq.RabbitmqBroker(url=url, middleware=_middleware(settings, metrics))


def _build_broker(settings: Settings, metrics: Metrics) -> dramatiq.Broker:
    url = settings.broker_url
    scheme = url.partition("://")[0]
    if not url:
        return StubBroker(middleware=_middleware(settings.broker, metrics))
    if scheme in {"redis", "rediss"}:
        # URL query options (e.g. ?socket_timeout=) win over these defaults
        pool = redis.ConnectionPool.from_url(
            url,
            socket_timeout=BROKER_SOCKET_TIMEOUT_SECONDS,
            socket_connect_timeout=BROKER_SOCKET_TIMEOUT_SECONDS,
        )
        broker = RedisBroker(
            client=redis.Redis(connection_pool=pool),
            middleware=_middleware(settings.broker, metrics),
            namespace=NAMESPACE,
            dead_message_ttl=settings.broker.dead_letter_ttl_ms,
        )
        # A client of its own for health: the broker's waits up to 5 s per socket call.
        # Set after parsing so that options in the URL cannot loosen the bound.
        probe_pool = redis.ConnectionPool.from_url(url)
        probe_pool.connection_kwargs.update(
            socket_timeout=HEALTH_TIMEOUT_SECONDS,
            socket_connect_timeout=HEALTH_TIMEOUT_SECONDS,
            retry=RedisRetry(NoBackoff(), 0),  # one try: a retry would double the bound
        )
        _health_clients[broker] = redis.Redis(connection_pool=probe_pool)
        return broker
    if scheme in {"amqp", "amqps"}:
        return _rabbitmq(url, settings.broker, metrics)
    raise SettingsError(f"broker.url: unsupported scheme {scheme!r}; use redis://, amqp:// or ''")


def configure_broker(settings: Settings, *, metrics: Metrics | None = None) -> dramatiq.Broker:
    """Build the broker, make it Dramatiq's global one, and bind the actors of every
    module under tasks/ to it (tasks.discovery). `metrics`: the app's, else a handle of
    this process's own (a worker process, a test)."""
    broker = _build_broker(settings, metrics or Metrics(settings.metrics))
    modules = actor_modules()
    for module in modules:
        for middleware in module.middleware(settings) if module.middleware else ():
            broker.add_middleware(middleware)
    dramatiq.set_broker(broker)
    for module in modules:
        for actor in module.actors:
            # `actor.send` goes to the broker configured last; a broker's own messages
            # are published with `publish` (tasks.outbox), whatever `actor.broker` says
            actor.broker = broker
            broker.declare_actor(actor)
    return broker


def start_in_process_worker(broker: dramatiq.Broker, *, threads: int = 2) -> dramatiq.Worker:
    """The embedded default: worker threads inside the API process."""
    # The dramatiq CLI emits process_boot; without it TimeLimit never starts its timer.
    broker.emit_after("process_boot")
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=100)
    worker.start()
    return worker


def stop_worker(worker: dramatiq.Worker, *, timeout_ms: int = 5_000) -> None:
    """Finish messages in progress (up to timeout_ms); return the rest to the queue."""
    worker.stop(timeout=timeout_ms)


def broker_is_healthy(broker: dramatiq.Broker | None) -> bool:
    """Whether the broker answers, within ~0.5 s even when Redis hangs."""
    if broker is None:
        return False
    if not isinstance(broker, RedisBroker):
        return True  # in-process: alive while we are; RabbitMQ: pika reconnects on use
    # a RedisBroker not built here has no probe: its own client, with its own timeouts
    probe = _health_clients.get(broker, broker.client)
    try:
        return bool(probe.ping())
    except (redis.RedisError, OSError):
        return False


def queue_depths(broker: dramatiq.Broker) -> dict[str, int]:
    """Messages per declared queue: `<q>` ready, `<q>.DQ` delayed, `<q>.XQ` dead letters."""
    queues = sorted(broker.get_declared_queues())
    if isinstance(broker, RedisBroker):
        pipe = broker.client.pipeline(transaction=False)
        for queue in queues:
            prefix = f"{broker.namespace}:{queue}"
            pipe.llen(prefix)
            pipe.hlen(f"{prefix}.DQ.msgs")
            pipe.zcard(f"{prefix}.XQ")
        counts = iter(pipe.execute())
        return {f"{q}{suffix}": next(counts) for q in queues for suffix in ("", ".DQ", ".XQ")}
    if isinstance(broker, StubBroker):
        depths: dict[str, int] = {}
        for queue in queues:
            depths[queue] = broker.queues[queue].qsize()
            depths[f"{queue}.DQ"] = broker.queues[f"{queue}.DQ"].qsize()
            depths[f"{queue}.XQ"] = len(broker.dead_letters_by_queue[queue])
        return depths
    return {}
