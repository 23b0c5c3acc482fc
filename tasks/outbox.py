"""The bridge from the outbox relay (app/outbox/relay.py) to Dramatiq."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dramatiq


def publisher(broker: dramatiq.Broker) -> Callable[[str, dict[str, Any]], None]:
    """publish(actor_name, payload): enqueue on `broker`; raises when the broker is down."""

    def publish(actor_name: str, payload: dict[str, Any]) -> None:
        # an unknown actor raises ActorNotFound: the row stays and the error is logged.
        # Enqueued on `broker` itself, not through `actor.send`, which goes to the broker
        # configured last: another app's, when a process runs more than one.
        broker.enqueue(broker.get_actor(actor_name).message(payload))

    return publish
