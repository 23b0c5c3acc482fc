"""Nothing a client sends makes the server log at ERROR: malformed requests, bad JSON,
bytes that are not UTF-8, early disconnects. ERROR is for our own bugs, so that an
alert on it means something, and so that nobody can flood the error log at will."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

import pytest

from tests.conftest import CLIENT_KEY

# the bodies must reach the parser, not stop at the sign-in rate limit
pytestmark = pytest.mark.many_sign_ins

KEY = CLIENT_KEY.encode()
JSON = b"Content-Type: application/json\r\n"
SIGN_IN = b"POST /api/v1/auth/sign-in HTTP/1.1\r\nHost: t\r\nX-Client-Key: " + KEY + b"\r\n" + JSON
# (what is sent, whether to close before reading the answer)
CLIENT_MISCHIEF: list[tuple[bytes, bool]] = [
    (b"GARBAGE\r\n\r\n", False),
    (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", False),
    (b"BREW /api HTTP/1.1\r\nHost: t\r\n\r\n", False),
    (b"GET /api HTTP/1.1\r\nHost: t\r\nNo colon here\r\n\r\n", False),
    (b"GET /api/%ff%fe?%ff=%fe HTTP/1.1\r\nHost: t\r\nX-Client-Key: " + KEY + b"\r\n\r\n", False),
    (b"GET /api/\xc3\x28 HTTP/1.1\r\nHost: t\r\n\r\n", False),
    (b"GET /api/v1/me HTTP/1.1\r\nHost: t\r\nX-Client-Key: \xff\xfe\r\n\r\n", False),
    (b"GET /api/v1/me HTTP/1.1\r\nHost: t\r\nX-Client-Key: " + KEY
     + b"\r\nAuthorization: Bearer \xff\xfe\r\n\r\n", False),
    (b"GET /api/v1/me HTTP/1.1\r\nHost: t\r\nX-Client-Key: " + KEY
     + b"\r\nCookie: tandem_session=\xff\xfe\r\n\r\n", False),
    (b"GET /api HTTP/1.1\r\nHost: t\r\nX-Request-ID: \xff\xfe\r\n\r\n", False),
    (b"GET /api HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: \xff, ::1, bogus\r\n\r\n", False),
    (b"GET /api HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n", False),
    (b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: t\r\n\r\n", False),
    (SIGN_IN + b"Content-Length: 5\r\n\r\n{bad}", False),
    (SIGN_IN + b"Content-Length: 2\r\n\r\n[]", False),
    (SIGN_IN + b"Content-Length: 4\r\n\r\n\xff\xfe\xfd\xfc", False),
    (SIGN_IN + b"Content-Length: 4\r\n\r\nnull", False),
    (SIGN_IN + b"Content-Length: 30000000\r\n\r\n{}", False),
    (SIGN_IN + b"Content-Length: 100\r\n\r\n{\"email\":", True),  # gone mid-body
    (SIGN_IN + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", False),
    (SIGN_IN + b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", False),
    (SIGN_IN + b"Content-Length: abc\r\n\r\n{}", False),
    (SIGN_IN + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", False),
    (b"POST /api/v1/auth/sign-in HTTP/1.1\r\nHost: t\r\nX-Client-Key: " + KEY
     + b"\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi", False),
    (SIGN_IN + b"Expect: 100-continue\r\nContent-Length: 50\r\n\r\n", True),
    # a whole sign-in, then gone before the (slow, hashing) answer
    (SIGN_IN + b"Content-Length: 58\r\n\r\n"
     + b'{"email": "someone@example.com", "password": "long enough pw"}'[:58], True),
    (b"GET /api/v1/auth/sessions?limit=abc&cursor=%ff HTTP/1.1\r\nHost: t\r\n"
     b"X-Client-Key: " + KEY + b"\r\n\r\n", False),
    (b"GET /api HTTP/1.0\r\n\r\n", False),
    ((b"GET /api HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
      b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: x\r\n\r\n"), False),
    (b"GET /api HTTP/1.1\r\nHost: t\r\n", True),  # headers never finished
]


async def send_raw(url: str, data: bytes, *, close_early: bool) -> bytes:
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        writer.write(data)
        await writer.drain()
        if close_early:
            return b""
        try:
            return await asyncio.wait_for(reader.read(65_536), timeout=3)
        except (TimeoutError, ConnectionError):
            return b""
    finally:
        writer.close()


async def test_no_malformed_request_or_disconnect_can_make_the_server_log_an_error(server, caplog):
    caplog.set_level(logging.DEBUG)
    answers = []
    for data, close_early in CLIENT_MISCHIEF:
        answers.append(await send_raw(server.url, data, close_early=close_early))
    await asyncio.sleep(1)  # let the abandoned requests finish on the server
    errors = [f"{record.name}: {record.getMessage()}" for record in caplog.records
              if record.levelno >= logging.ERROR]
    assert errors == []
    # and none of those answers was a server error
    assert not [answer[:40] for answer in answers if answer.startswith(b"HTTP/1.1 5")]
    assert (await server.client.get("/api/health")).status_code == 200  # still serving
