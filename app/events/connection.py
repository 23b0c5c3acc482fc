"""Writing a stream's events straight to its HTTP/1.1 response (app.events.stream.Connection),
without the stream's task: what Sanic's own `response.send` does for a chunked response,
minus the await.

`response.send(data)` on a chunked HTTP/1.1 response is `Http.http1_response_chunked`
(frames the chunk: size in hex, CRLF, data, CRLF) then `SanicProtocol.send`: wait for
`_can_write` (cleared by `pause_writing` when the transport's buffer passes its high-water
mark, set again by `resume_writing`), refuse a closing transport, `transport.write`, and
note the time (the response timeout counts from the last write). `ready()` is that wait
and that refusal answered without waiting; `write()` the rest. Anything else (HTTP/3, a
response not streaming chunks) gets no connection: its frames all go through `send`.
These are Sanic internals (25.12): tests/events/test_direct_writes.py fails if they change.
"""

from __future__ import annotations

import time

from sanic import Request
from sanic.http.http1 import Http


class ChunkedConnection:
    __slots__ = ("_http", "_protocol")

    def __init__(self, http: Http) -> None:
        self._http = http
        self._protocol = http.protocol

    @classmethod
    def of(cls, request: Request) -> ChunkedConnection | None:
        """The request's connection, once its response's headers are sent (after its first
        `send`) and its body goes out in chunks; else None."""
        http = request.stream
        if not isinstance(http, Http) or http.response_func != http.http1_response_chunked:
            return None
        return cls(http)

    def ready(self) -> bool:
        transport = self._protocol.transport
        return (
            self._http.response_func is not None  # not ended (eof, or an error response)
            and self._protocol._can_write.is_set()
            and transport is not None
            and not transport.is_closing()
        )

    def write(self, data: bytes) -> None:
        self._protocol.transport.write(b"%x\r\n%b\r\n" % (len(data), data))
        self._protocol._time = time.monotonic()
