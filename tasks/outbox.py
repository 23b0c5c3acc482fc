"""The bridge from the outbox relay (app/outbox/relay.py) to Dramatiq."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dramatiq


def publisher(broker: dramatiq.Broker) -> Callable[[str, dict[str, Any]], None]:
    """publish(actor_name, payload): enqueue on `broker`; raises when the broker is down."""

    def publish(actor_name: str, payload: dict[str, Any]) -> None:
        # an unknown actor raises ActorNotFound: the row stays and the error is logged
        broker.get_actor(actor_name).send(payload)

    return publish
