"""Requests no client library would send, over a raw socket (issue 9 item 1.8): bytes that
are not UTF-8 in a header, or a request Sanic cannot parse, are a 400, never a 500 or 403."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from tests.conftest import CLIENT_KEY

KEY = f"X-Client-Key: {CLIENT_KEY}\r\n".encode()


async def raw_exchange(url: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `request` as is; the status, headers and body of the answer."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(request)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines if line)
        }
        body = await asyncio.wait_for(reader.readexactly(int(headers.get("content-length", 0))), 5)
    finally:
        writer.close()
    return int(status_line.split(" ")[1]), headers, body


def assert_bad_request(answer: tuple[int, dict[str, str], bytes], code: str) -> dict:
    status, headers, body = answer
    assert status == 400, body
    assert headers["content-type"].startswith("application/problem+json")
    problem = orjson.loads(body)
    assert problem["code"] == code
    assert problem["request_id"] == headers["x-request-id"]
    return problem


async def test_non_utf8_client_key_is_a_400_not_a_500(server):
    answer = await raw_exchange(
        server.url, b"GET /api/v1/me HTTP/1.1\r\nHost: t\r\nX-Client-Key: \xff\xfe\r\n\r\n"
    )
    problem = assert_bad_request(answer, "MALFORMED_HEADER")
    assert problem["detail"] == "Header x-client-key is not valid UTF-8"


async def test_non_utf8_authorization_is_a_400(server):
    answer = await raw_exchange(
        server.url,
        b"GET /api/v1/me HTTP/1.1\r\nHost: t\r\n" + KEY + b"Authorization: Bearer \xff\xfe\r\n\r\n",
    )
    assert_bad_request(answer, "MALFORMED_HEADER")


@pytest.mark.parametrize(
    "header",
    [
        b"Cookie: tandem_session=\xc3\x28",
        b"X-Request-ID: abcdefgh\xff",
        b"X-Organization-Id: \xff",
        b"X-Forwarded-For: 203.0.113.1\xff",
        b"User-Agent: \xe9t\xe9",
        b"X-\xff: 1",
    ],
)
async def test_any_non_utf8_header_is_a_400(server, header):
    answer = await raw_exchange(
        server.url, b"GET /api/v1/me HTTP/1.1\r\nHost: t\r\n" + KEY + header + b"\r\n\r\n"
    )
    problem = assert_bad_request(answer, "MALFORMED_HEADER")
    assert "\\x" not in problem["detail"] and "\ufffd" not in problem["detail"]  # no bytes echoed


async def test_utf8_beyond_ascii_in_a_header_is_fine(server):
    answer = await raw_exchange(
        server.url, b"GET /api/v1/me HTTP/1.1\r\nHost: t\r\n" + KEY + "User-Agent: Käthe\r\n\r\n".encode()
    )
    assert answer[0] == 401  # read normally: no session


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /api/v1/me HTTP/1.1 extra\r\nHost: t\r\n\r\n",  # a fourth part in the request line
        b"GARBAGE\r\n\r\n",
        b"GET /api/v1/me HTTP/9.9\r\nHost: t\r\n\r\n",
    ],
)
async def test_malformed_request_line_is_a_400(server, request_bytes):
    # not a 403: a request that cannot be parsed has no client key to be wrong about
    assert_bad_request(await raw_exchange(server.url, request_bytes), "BAD_REQUEST")


async def test_header_line_without_a_colon_is_a_400(server):
    answer = await raw_exchange(
        server.url, b"GET /api/v1/me HTTP/1.1\r\nHost: t\r\n" + KEY + b"NoColonHere\r\n\r\n"
    )
    assert_bad_request(answer, "BAD_REQUEST")


@pytest.mark.parametrize("request_line", [b"GET /api/v1/nothing", b"NONE /api/v1/me"])
async def test_parsable_request_without_a_key_is_still_403(server, request_line):
    # the stand-in Sanic makes for unparsable requests (method "NONE", no head) must not
    # open a way past the client key
    answer = await raw_exchange(server.url, request_line + b" HTTP/1.1\r\nHost: t\r\n\r\n")
    assert answer[0] == 403
