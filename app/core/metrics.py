"""Prometheus metrics (docs/observability.md): one set of collectors per process, and a
`Metrics` handle per app (or worker process) that counts into it.

Prometheus' registry and its multiprocess directory are the process's by nature: metric
names are unique in a registry, and with `metrics.multiprocess_dir`
(PROMETHEUS_MULTIPROC_DIR) every API and worker process of a host writes its values to
memory-mapped files named after its pid, which a scrape of any API process sums
(prometheus_client's multiprocess mode). So the collectors are made once per process,
with the first settings given, and kept in `_PROCESS`, the one process-wide object here.
What lives as long as an app (its cache of label children, its claim on the process's
live gauges) is on the app's own `Metrics`, so two apps in one process never disturb
each other: the live gauges are dropped when the last app of the process stops.

Labels are bounded: a route template, never a raw path; a known method or "OTHER"; a
status code; a policy or outcome name.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.registry import Collector

from app.core.settings import MetricsSettings

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "unmatched"  # 404/405 before routing: one label for every unknown path
# request latencies of this API sit in milliseconds; the upper buckets catch hashing and outages
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class Collectors:
    requests: Counter
    request_seconds: Histogram
    rate_limit_denials: Counter
    redis_fallback: Gauge
    emails: Counter
    live_events_dropped: Counter
    event_streams: Gauge


def _collectors() -> Collectors:
    return Collectors(
        requests=Counter(
            "tandem_http_requests",
            "Requests answered, by route template, method and status",
            ["method", "route", "status"],
        ),
        request_seconds=Histogram(
            "tandem_http_request_duration_seconds",
            "Time from the first middleware to the response, by route template, method and status",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
        ),
        rate_limit_denials=Counter(
            "tandem_rate_limit_denials",
            "Requests refused with 429, by rate-limit policy",
            ["policy"],
        ),
        redis_fallback=Gauge(
            "tandem_redis_fallback",
            "1 while a process serves from its in-memory fallback because Redis is unreachable",
            multiprocess_mode="livemax",
        ),
        emails=Counter(
            "tandem_emails",
            "Emails by outcome: sent, retried (an attempt failed), dead_lettered",
            ["outcome"],
        ),
        live_events_dropped=Counter(
            "tandem_live_events_dropped",
            "Live events not published because Redis was unreachable (clients resync by listing)",
        ),
        event_streams=Gauge(
            "tandem_event_streams",
            "Server-Sent Event streams open (GET /api/v1/events)",
            multiprocess_mode="livesum",
        ),
    )


class _Process:
    """The process's collectors and multiprocess directory, made on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._collectors: Collectors | None = None
        self.directory = ""
        self._apps = 0  # apps of this process between start_app and stop_app

    def collectors(self, settings: MetricsSettings) -> Collectors:
        with self._lock:
            if self._collectors is None:
                if settings.multiprocess_dir:
                    Path(settings.multiprocess_dir).mkdir(parents=True, exist_ok=True)
                    # prometheus_client reads the directory from the environment when each
                    # value opens its file; it chose its value class at import, so choose again
                    os.environ["PROMETHEUS_MULTIPROC_DIR"] = settings.multiprocess_dir
                    values.ValueClass = values.MultiProcessValue()
                    self.directory = settings.multiprocess_dir
                self._collectors = _collectors()
            return self._collectors

    def app_started(self) -> None:
        with self._lock:
            self._apps += 1

    def app_stopped(self) -> None:
        """Drop this process's live gauges from the shared directory (its counters stay)
        once no app of the process runs any more."""
        with self._lock:
            self._apps -= 1
            if self._apps == 0 and self.directory:
                multiprocess.mark_process_dead(os.getpid(), self.directory)


_PROCESS = _Process()


def method_label(method: str) -> str:
    """The method as metrics and the access log name it: a known one, else "OTHER" (any
    token is a method to HTTP, so it may be anything a client types, an address included)."""
    return method if method in METHODS else "OTHER"


class Metrics:
    """What an app (or a worker process) counts, into the process's collectors."""

    def __init__(self, settings: MetricsSettings) -> None:
        self._collectors = _PROCESS.collectors(settings)
        # (method, route, status) → its label children: labels() takes a lock and builds a key
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            label = method_label(method)
            children = (
                self._collectors.requests.labels(label, route, str(status)),
                self._collectors.request_seconds.labels(label, route, str(status)),
            )
            if method in METHODS:  # an unknown method's key is the client's choice: not kept
                self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def rate_limited(self, policy: str) -> None:
        self._collectors.rate_limit_denials.labels(policy).inc()

    def redis_fallback(self, active: bool) -> None:
        self._collectors.redis_fallback.set(1 if active else 0)

    def email(self, outcome: str) -> None:
        self._collectors.emails.labels(outcome).inc()

    def live_events_dropped(self, count: int) -> None:
        self._collectors.live_events_dropped.inc(count)

    def event_streams(self, change: int) -> None:
        self._collectors.event_streams.inc(change)

    def app_started(self) -> None:
        _PROCESS.app_started()

    def app_stopped(self) -> None:
        _PROCESS.app_stopped()

    @staticmethod
    def render(extra: Iterable[Collector] = ()) -> bytes:
        """The text exposition: every process's metrics, then `extra` (computed at scrape time)."""
        if _PROCESS.directory:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=_PROCESS.directory)
            text = generate_latest(registry)
        else:
            text = generate_latest(REGISTRY)
        scraped = CollectorRegistry(auto_describe=False)
        for collector in extra:
            scraped.register(collector)
        return text + generate_latest(scraped)
