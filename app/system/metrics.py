"""GET /api/metrics: who may scrape, and the outbox figures computed at scrape time."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric

from app.core import errors
from app.core.queues import OUTBOX_COUNT_CAP, outbox_backlog
from app.core.settings import MetricsSettings

# the count stops here, so a backlog of millions costs a scrape no more than this many rows
OUTBOX_QUERY_TIMEOUT_SECONDS = 0.5


class ScrapeGuard:
    """A scraper is allowed with the configured bearer token, or from an allowed network.
    Anyone else is answered as for a path that does not exist (`refusal`)."""

    def __init__(self, settings: MetricsSettings, client_keys: tuple[str, ...]) -> None:
        self.enabled = settings.enabled
        self._token = settings.token.encode()
        self._networks = [ipaddress.ip_network(item, strict=False) for item in settings.allowed_networks]
        self._client_keys = [key.encode() for key in client_keys]

    def refusal(self, client_key: str | None) -> errors.ApiError:
        """What an unknown path answers: 403 without a valid client key, else 404."""
        presented = (client_key or "").encode()
        known = False
        for key in self._client_keys:
            known |= hmac.compare_digest(presented, key)
        return errors.NotFound("No such resource") if known else errors.Forbidden()

    def allows(self, client_ip: str, authorization: str | None, *, via_unknown_proxy: bool = False) -> bool:
        """`via_unknown_proxy`: the request names a forwarded client, but its peer is not a
        trusted proxy. A reverse proxy on the same host that nobody listed in
        server.trusted_proxies makes every request come from loopback: its callers are
        not on an allowed network, so only the token lets them in."""
        if self._token and authorization:
            scheme, _, presented = authorization.partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), self._token):
                return True
        if via_unknown_proxy:
            return False
        try:
            address = ipaddress.ip_address(client_ip)
        except ValueError:
            return False
        return any(address in network for network in self._networks)


class OutboxCollector:
    """Outbox depth and the age of its oldest row, read once per scrape. The outbox is
    one table for every process, so whichever process is scraped reads it."""

    def __init__(self, depth: int, oldest_age_seconds: float) -> None:
        self._depth, self._age = depth, oldest_age_seconds

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "tandem_outbox_messages",
            f"Outbox rows waiting to be published (counted up to {OUTBOX_COUNT_CAP})",
            value=self._depth,
        )
        yield GaugeMetricFamily(
            "tandem_outbox_oldest_age_seconds",
            "Age of the oldest outbox row; 0 when the outbox is empty",
            value=self._age,
        )


async def _read_outbox() -> OutboxCollector:
    backlog = await outbox_backlog()
    return OutboxCollector(backlog.depth, backlog.oldest_age_seconds)


async def outbox_collectors() -> list[OutboxCollector]:
    """The outbox gauges, or none when the database does not answer in time (health says why)."""
    try:
        return [await asyncio.wait_for(_read_outbox(), OUTBOX_QUERY_TIMEOUT_SECONDS)]
    except Exception:  # noqa: BLE001 - a scrape during an outage still gets the other metrics
        return []
