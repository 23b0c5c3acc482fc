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
    (
        b"GET /api/v1/me HTTP/1.1\r\nHost: t\r\nX-Client-Key: "
        + KEY
        + b"\r\nAuthorization: Bearer \xff\xfe\r\n\r\n",
        False,
    ),
    (
        b"GET /api/v1/me HTTP/1.1\r\nHost: t\r\nX-Client-Key: "
        + KEY
        + b"\r\nCookie: tandem_session=\xff\xfe\r\n\r\n",
        False,
    ),
    (b"GET /api HTTP/1.1\r\nHost: t\r\nX-Request-ID: \xff\xfe\r\n\r\n", False),
    (b"GET /api HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: \xff, ::1, bogus\r\n\r\n", False),
    (b"GET /api HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n", False),
    (b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: t\r\n\r\n", False),
    (SIGN_IN + b"Content-Length: 5\r\n\r\n{bad}", False),
    (SIGN_IN + b"Content-Length: 2\r\n\r\n[]", False),
    (SIGN_IN + b"Content-Length: 4\r\n\r\n\xff\xfe\xfd\xfc", False),
    (SIGN_IN + b"Content-Length: 4\r\n\r\nnull", False),
    (SIGN_IN + b"Content-Length: 30000000\r\n\r\n{}", False),
    (SIGN_IN + b'Content-Length: 100\r\n\r\n{"email":', True),  # gone mid-body
    (SIGN_IN + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", False),
    (SIGN_IN + b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", False),
    (SIGN_IN + b"Content-Length: abc\r\n\r\n{}", False),
    (SIGN_IN + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", False),
    (
        b"POST /api/v1/auth/sign-in HTTP/1.1\r\nHost: t\r\nX-Client-Key: "
        + KEY
        + b"\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi",
        False,
    ),
    (SIGN_IN + b"Expect: 100-continue\r\nContent-Length: 50\r\n\r\n", True),
    # a whole sign-in, then gone before the (slow, hashing) answer
    (
        SIGN_IN
        + b"Content-Length: 58\r\n\r\n"
        + b'{"email": "someone@example.com", "password": "long enough pw"}'[:58],
        True,
    ),
    (
        b"GET /api/v1/auth/sessions?limit=abc&cursor=%ff HTTP/1.1\r\nHost: t\r\n"
        b"X-Client-Key: " + KEY + b"\r\n\r\n",
        False,
    ),
    (b"GET /api HTTP/1.0\r\n\r\n", False),
    (
        (
            b"GET /api HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: x\r\n\r\n"
        ),
        False,
    ),
    (b"GET /api HTTP/1.1\r\nHost: t\r\n", True),  # headers never finished
    # a body on a route that ignores bodies (`curl -X GET --data x`): Sanic's "body not consumed"
    (b"GET /api/health/live HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nx", False),
    (b"HEAD /api/health/live HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nx", False),
    (b"GET /api HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n", False),
    # a request target that is not a path: Sanic's stand-in request used to fail on it too
    (b"CONNECT example.com:80 HTTP/1.1\r\nHost: example.com:80\r\n\r\n", False),
    (b"GET api HTTP/1.1\r\nHost: t\r\n\r\n", False),
    # a method that is not UTF-8, or is an address (`curl -X ada@example.com`)
    (b"\xff /api HTTP/1.1\r\nHost: t\r\n\r\n", False),
    (b"ada@example.com /api HTTP/1.1\r\nHost: t\r\n\r\n", False),
]
NOT_A_PATH = [
    b"CONNECT example.com:80 HTTP/1.1\r\nHost: example.com:80\r\n\r\n",
    b"GET api HTTP/1.1\r\nHost: t\r\n\r\n",
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
    errors = [
        f"{record.name}: {record.getMessage()}"
        for record in caplog.records
        if record.levelno >= logging.ERROR
    ]
    assert errors == []
    # and none of those answers was a server error
    assert not [answer[:40] for answer in answers if answer.startswith(b"HTTP/1.1 5")]
    assert (await server.client.get("/api/health")).status_code == 200  # still serving


async def test_a_request_target_that_is_not_a_path_gets_a_400_not_a_dropped_connection(server, caplog):
    caplog.set_level(logging.DEBUG)
    for data in NOT_A_PATH:  # `CONNECT example.com:80`, `GET api`
        answer = await send_raw(server.url, data, close_early=False)
        assert answer.startswith(b"HTTP/1.1 400 "), answer[:80]
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []


async def test_a_get_with_a_body_is_answered_and_logs_no_error(server, caplog):
    caplog.set_level(logging.DEBUG)
    for method in (b"GET", b"HEAD"):  # `curl -X GET --data x …/api/health/live`
        answer = await send_raw(
            server.url,
            method + b" /api/health/live HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nx",
            close_early=False,
        )
        assert answer.startswith(b"HTTP/1.1 200 "), answer[:80]
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []
    # Sanic's complaint is still there for whoever debugs, at DEBUG
    assert any(
        "body not consumed" in record.getMessage()
        for record in caplog.records
        if record.levelno == logging.DEBUG
    )


async def test_a_method_that_is_not_utf8_or_is_an_address_is_logged_as_other(
    make_settings, migrated_database, redis_url, captured_log, capsys, start_app
):
    settings = make_settings(
        database={"url": migrated_database}, redis={"url": redis_url}, server={"access_log": True}
    )
    async with start_app(settings) as live:
        for method in (b"\xff", b"ada@example.com"):
            answer = await send_raw(
                live.url, method + b" /api HTTP/1.1\r\nHost: t\r\n\r\n", close_early=False
            )
            assert answer.startswith(b"HTTP/1.1 4"), answer[:80]
    access = [line for line in captured_log.lines() if line["logger"] == "tandem.access"]
    assert [(line["method"], line["path"]) for line in access] == [("OTHER", "/api")] * 2
    assert "ada@" not in captured_log.text()
    assert "Logging error" not in capsys.readouterr().err  # the line was written, not lost
