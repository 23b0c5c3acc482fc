"""Log set-up shared by the API and the worker: one shape, JSON lines or readable text.

Every line carries what is known about the work it belongs to, from context
variables: `request_id`, `user_id` and `organization_id` inside a request (set by the
middleware chain), `message_id` and `actor` inside a worker message (set by
tasks.observability). Nothing a client sends is trusted to be free of personal data,
so records are scrubbed on the way out (see `ScrubFilter`).
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any

import orjson

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
user_id_var: ContextVar[Any] = ContextVar("user_id", default=None)
organization_id_var: ContextVar[Any] = ContextVar("organization_id", default=None)
message_id_var: ContextVar[str | None] = ContextVar("message_id", default=None)
actor_var: ContextVar[str | None] = ContextVar("actor", default=None)
CONTEXT_FIELDS: tuple[tuple[str, ContextVar[Any]], ...] = (
    ("request_id", request_id_var),
    ("user_id", user_id_var),
    ("organization_id", organization_id_var),
    ("message_id", message_id_var),
    ("actor", actor_var),
)
ACCESS_LOGGER = "tandem.access"
# Sanic's loggers: their handlers go, so that their lines take our shape
FRAMEWORK_LOGGERS = ("sanic.root", "sanic.error", "sanic.access", "sanic.server", "sanic.websockets")
EMAIL = re.compile(r"[^\s@<>()\[\],;:\"'/\\?&=]+@[^\s@<>()\[\],;:\"'/\\?&=]+")
REDACTED_EMAIL = "[email]"
_TRACEBACKS = logging.Formatter()
# Tortoise and aiosqlite trace every statement with its parameters (names, hashes,
# payloads) at DEBUG: dropped; the database's own statement log is the place to debug SQL
SQL_TRACES = frozenset({"tortoise.db_client", "aiosqlite"})
# Dramatiq's actor logs its arguments at DEBUG: send_email's are an address and a link
ACTOR_ARGUMENTS = "Received args=%r kwargs=%r."
# what every record has; anything else on it came as `extra=` (or from ContextFilter)
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
# Sanic logs this at ERROR after answering a GET or HEAD (a route that ignores bodies)
# that came with a body: the client's doing, not our bug (Sanic then reads and drops it)
BODY_NOT_CONSUMED = " body not consumed."


def scrub(text: str) -> str:
    """`text` with anything shaped like an email address (plain or %-encoded) redacted."""
    if "%40" in text:
        text = text.replace("%40", "@")
    if "@" in text:
        text = EMAIL.sub(REDACTED_EMAIL, text)
    return text


def bind_request(request_id: str) -> None:
    """A new request on this task: its id, and nobody known yet."""
    request_id_var.set(request_id)
    user_id_var.set(None)
    organization_id_var.set(None)


def bind_identity(user_id: Any, organization_id: Any) -> None:
    user_id_var.set(user_id)
    organization_id_var.set(organization_id)


class ContextFilter(logging.Filter):
    """Copies the context variables that are set onto the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, variable in CONTEXT_FIELDS:
            value = variable.get()
            if value is not None:
                setattr(record, name, value)
        return True


def _safe_argument(value: Any) -> Any:
    # A Dramatiq message prints as actor(args…): the args of send_email hold the
    # address and the token. Its id is all a log line needs.
    if hasattr(value, "actor_name") and hasattr(value, "message_id"):
        return f"{value.actor_name}[{value.message_id}]"
    return value


class ScrubFilter(logging.Filter):
    """Defence in depth against personal data in lines we did not write: a Dramatiq
    message becomes its actor and id, and anything shaped like an email address in the
    message or the traceback (a database error quoting a duplicate key, an SMTP error
    naming the refused recipient) becomes [email]; SQL traces are dropped. Our own log
    calls name ids only."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO and record.name in SQL_TRACES:
            return False
        if record.msg == ACTOR_ARGUMENTS:
            record.msg, record.args = (
                "Received its arguments (not logged: they hold addresses and links)",
                None,
            )
        if record.args or not isinstance(record.msg, str | dict):  # e.g. an exception as msg
            if isinstance(record.args, tuple):
                record.args = tuple(_safe_argument(arg) for arg in record.args)
            try:
                record.msg, record.args = record.getMessage(), None
            except (TypeError, ValueError):
                pass  # a malformed call: logging reports it when the line is formatted
        if isinstance(record.msg, str):
            record.msg = scrub(record.msg)
        if record.exc_info:
            # both formatters print exc_text when exc_info is gone: only the scrubbed copy
            record.exc_text = record.exc_text or _TRACEBACKS.formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        # extra fields (a client's values, often) are scrubbed where they are written:
        # JsonFormatter; the text format does not show them
        return True


class ClientNoiseFilter(logging.Filter):
    """On Sanic's error logger: what a client can cause at will is logged at DEBUG, so that
    ERROR keeps meaning a bug of ours and nobody can flood it (see tests/core/test_quiet_logs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            record.levelno >= logging.ERROR
            and isinstance(record.msg, str)
            and record.msg.endswith(BODY_NOT_CONSUMED)
        ):
            record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


def quiet_client_noise() -> None:
    """Install ClientNoiseFilter on Sanic's error logger (once, whoever builds the app)."""
    logger = logging.getLogger("sanic.error")
    if not any(isinstance(existing, ClientNoiseFilter) for existing in logger.filters):
        logger.addFilter(ClientNoiseFilter())


# on every handler build_handler makes, in this order
OWN_FILTERS: tuple[type[logging.Filter], ...] = (ContextFilter, ScrubFilter)


def _utf8_safe(value: Any) -> Any:
    """`value` with lone surrogates (undecodable bytes a client sent, as Python keeps them)
    written as backslash escapes: orjson refuses them, and the line would be lost."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_utf8_safe(key): _utf8_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_utf8_safe(item) for item in value]
    return value


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, context, extra fields, and
    `exception` when there is one.

    Written here on orjson rather than taken from python-json-logger: with one access
    line per request, that library's generic field merging cost about an eighth of the
    API's time under load (py-spy on `make bench`), and this shape is all we emit."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": log_time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _RECORD_ATTRIBUTES:  # context fields (ContextFilter), extra= fields
                line[name] = scrub(value) if isinstance(value, str) else value
        if record.exc_text:
            line["exception"] = record.exc_text
        return json_line(line)


def json_line(line: dict[str, Any]) -> str:
    """`line` as JSON text; a string with lone surrogates does not lose the line."""
    try:
        return orjson.dumps(line, default=str).decode()
    except TypeError:  # "str is not valid UTF-8: surrogates not allowed"
        return orjson.dumps(_utf8_safe(line), default=str).decode()


def log_time(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")


class TextFormatter(logging.Formatter):
    """For people reading a terminal (dev mode): the same fields, one readable line."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(context)s%(message)s")

    def format(self, record: logging.LogRecord) -> str:
        known = [str(getattr(record, name)) for name, _ in CONTEXT_FIELDS if hasattr(record, name)]
        record.context = f"[{' '.join(known)}] " if known else ""
        return super().format(record)


class TurnBufferedHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Lines logged during one turn of the event loop leave in one write, at the end of
    the turn, rather than one write (a system call) per line: with an access line per
    request, writing was a fifth of the API's time under load (measured with py-spy).
    Lines from a thread without a running loop (Dramatiq's workers), and anything at
    WARNING or above, are written at once; at most one turn's lines can be lost if
    the process is killed outright."""

    def __init__(self, stream: IO[str]) -> None:
        super().__init__(stream)
        self._flush_pending = False

    def emit(self, record: logging.LogRecord) -> None:
        super().emit(record)
        if record.levelno >= logging.WARNING:
            self._flush_now()

    def flush(self) -> None:  # StreamHandler.emit calls it after every line
        if self._flush_pending:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._flush_now()
            return
        self._flush_pending = True
        loop.call_soon(self._flush_now)

    def _flush_now(self) -> None:
        self._flush_pending = False
        super().flush()

    def json_lines_as_built(self) -> bool:
        """Whether this handler still writes JsonFormatter lines through OWN_FILTERS alone."""
        return type(self.formatter) is JsonFormatter and tuple(map(type, self.filters)) == OWN_FILTERS

    def write_line(self, text: str) -> None:
        """A line formatted elsewhere (AccessLog's), written as emit() writes one."""
        try:
            with self.lock:  # type: ignore[union-attr]
                self.stream.write(text + self.terminator)
                self.flush()
        except RecursionError:
            raise
        except Exception:  # noqa: BLE001 - as logging does: a log line never fails a request
            self.handleError(logging.makeLogRecord({"msg": text}))


def _buffered_stderr() -> IO[str]:
    """Standard error, fully buffered (Python's is line-buffered): TurnBufferedHandler
    decides when it is written."""
    return io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(sys.stderr.fileno(), "w", closefd=False), buffer_size=1 << 16),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=False,
    )


def build_handler(*, json: bool, stream: IO[str] | None = None) -> logging.Handler:
    """The handler every process logs through (tests attach one to a buffer)."""
    handler = logging.StreamHandler(stream) if stream is not None else TurnBufferedHandler(_buffered_stderr())
    for kind in OWN_FILTERS:
        handler.addFilter(kind())
    handler.setFormatter(JsonFormatter() if json else TextFormatter())
    return handler


def configure_logging(level: str, *, json: bool) -> None:
    """Route every logger (ours, Sanic's, Dramatiq's) through one handler on the root."""
    # no line shows the thread or process (the JSON fields are fixed): not collecting
    # them makes each record cheaper (the logging HOWTO's "Optimization" switches)
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    root = logging.getLogger()
    root.handlers[:] = [build_handler(json=json)]
    root.setLevel(level)
    for name in FRAMEWORK_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
