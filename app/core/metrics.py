"""Prometheus metrics (docs/observability.md): defined once per process, safe across processes.

With `metrics.multiprocess_dir` (PROMETHEUS_MULTIPROC_DIR) every API and worker process
of a host writes its values to memory-mapped files there, and a scrape of any API
process sums them all (prometheus_client's multiprocess mode). Without it each process
counts in its own registry. Labels are bounded: a route template, never a raw path; a
known method or "OTHER"; a status code; a policy or outcome name.
"""

from __future__ import annotations

import os
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
EMAIL_OUTCOMES = ("sent", "retried", "dead_lettered")


@dataclass(frozen=True)
class Metrics:
    requests: Counter
    request_seconds: Histogram
    rate_limit_denials: Counter
    redis_fallback: Gauge
    emails: Counter


_metrics: Metrics | None = None
_directory = ""
# (method, route, status) → its label children: labels() takes a lock and builds a key
_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def configure(settings: MetricsSettings) -> Metrics:
    """Once per process, before the first value is written; later calls keep the first."""
    global _metrics, _directory
    if _metrics is not None:
        return _metrics
    if settings.multiprocess_dir:
        Path(settings.multiprocess_dir).mkdir(parents=True, exist_ok=True)
        # prometheus_client reads the directory from the environment when each value
        # opens its file; it chose its value class at import, so choose again
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = settings.multiprocess_dir
        values.ValueClass = values.MultiProcessValue()
        _directory = settings.multiprocess_dir
    _metrics = Metrics(
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
    )
    return _metrics


def current() -> Metrics:
    """The metrics of this process (single-process defaults if nobody configured them)."""
    return _metrics or configure(MetricsSettings())


def method_label(method: str) -> str:
    """The method as metrics and the access log name it: a known one, else "OTHER" (any
    token is a method to HTTP, so it may be anything a client types, an address included)."""
    return method if method in METHODS else "OTHER"


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    key = (method, route, status)
    children = _children.get(key)
    if children is None:
        metrics = current()
        label = method_label(method)
        children = (
            metrics.requests.labels(label, route, str(status)),
            metrics.request_seconds.labels(label, route, str(status)),
        )
        if method in METHODS:  # an unknown method's key is the client's choice: not kept
            _children[key] = children
    children[0].inc()
    children[1].observe(seconds)


def rate_limited(policy: str) -> None:
    current().rate_limit_denials.labels(policy).inc()


def redis_fallback(active: bool) -> None:
    current().redis_fallback.set(1 if active else 0)


def email(outcome: str) -> None:
    current().emails.labels(outcome).inc()


def process_stopped() -> None:
    """Drop this process's live gauges from the shared directory (its counters stay)."""
    if _directory:
        multiprocess.mark_process_dead(os.getpid(), _directory)


def render(extra: Iterable[Collector] = ()) -> bytes:
    """The text exposition: every process's metrics, then `extra` (computed at scrape time)."""
    if _directory:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=_directory)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    scraped = CollectorRegistry(auto_describe=False)
    for collector in extra:
        scraped.register(collector)
    return text + generate_latest(scraped)
