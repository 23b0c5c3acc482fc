"""Dramatiq middleware: worker log lines name their message, and emails are counted.

First in the broker's middleware list, so that its `before_` hooks run first and its
`after_` hooks (which Dramatiq runs in reverse order) run last: every line the other
middleware writes about a message carries the message id and actor, and by the time
the outcome is counted, Retries has decided whether the message goes back to the
queue or to the dead letters.
"""

from __future__ import annotations

from typing import Any

import dramatiq

from app.core.logging import actor_var, message_id_var
from app.core.metrics import Metrics

EMAIL_ACTOR = "send_email"


class Observability(dramatiq.Middleware):
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        message_id_var.set(message.message_id)
        actor_var.set(message.actor_name)

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: Any,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        if message.actor_name == EMAIL_ACTOR:
            self._metrics.email(_outcome(message, exception))
        _clear()

    def after_skip_message(self, broker: dramatiq.Broker, message: Any) -> None:
        _clear()


def _outcome(message: Any, exception: BaseException | None) -> str:
    if message.failed:  # retries exhausted, or an error retrying cannot fix
        return "dead_lettered"
    return "retried" if exception is not None else "sent"


def _clear() -> None:
    # a worker thread runs one message after another in one context
    message_id_var.set(None)
    actor_var.set(None)
