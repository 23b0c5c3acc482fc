"""The access line: one per answered request, on the `tandem.access` logger.

In the production shape (JSON lines through the one handler configure_logging
installs, nobody else listening), the line is built here and handed to that handler,
in the very shape JsonFormatter gives it, without a LogRecord: logging's record, caller
lookup, filters and dispatch were a fifth of GET /api/v1/me under load (py-spy on
`make bench`). Anything else (text lines, a handler or filter added by a test or an
operator) takes the ordinary path through logging.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from app.core.logging import ACCESS_LOGGER, CONTEXT_FIELDS, TurnBufferedHandler, json_line


class AccessLog:
    """Fields are ids, a status and a path the caller has scrubbed already."""

    def __init__(self) -> None:
        self._logger = logging.getLogger(ACCESS_LOGGER)
        self._clock = SecondClock()

    def write(
        self, *, method: str, path: str, route: str, status: int, duration_ms: float, client_ip: str | None
    ) -> None:
        logger = self._logger
        if not logger.isEnabledFor(logging.INFO):
            return
        message = f"{method} {path} {status} {duration_ms:.2f}ms"
        fields = {
            "method": method,
            "path": path,
            "route": route,
            "status": status,
            "duration_ms": duration_ms,
            "client_ip": client_ip,
        }
        handler = self._sole_json_handler()
        if handler is None:
            logger.info(message, extra=fields)
            return
        line: dict[str, Any] = {
            "time": self._clock.now(),
            "level": "INFO",
            "logger": ACCESS_LOGGER,
            "message": message,
            **fields,
        }
        for name, variable in CONTEXT_FIELDS:  # what ContextFilter would copy
            value = variable.get()
            if value is not None:
                line[name] = value
        handler.write_line(json_line(line))

    def _sole_json_handler(self) -> TurnBufferedHandler | None:
        """The handler, when it is the only thing the line would reach (checked on every
        line, cheaply: a test or an operator may add a handler or a filter at any time)."""
        logger = self._logger
        if logger.filters:
            return None
        while logger.parent is not None:  # up to the root, which has no parent
            if logger.handlers or not logger.propagate:
                return None
            logger = logger.parent
        handlers = logger.handlers
        if len(handlers) != 1:
            return None
        handler = handlers[0]
        if (
            type(handler) is TurnBufferedHandler
            and handler.level <= logging.INFO
            and handler.json_lines_as_built()
        ):
            return handler
        return None


class SecondClock:
    """Log times to the millisecond, the date and time formatted once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def now(self) -> str:
        moment = time.time()
        second = int(moment)
        if second != self._second:
            self._second = second
            self._prefix = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return f"{self._prefix}.{int((moment - second) * 1000):03d}+00:00"
