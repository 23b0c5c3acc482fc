"""Headers must be UTF-8 (issue 9 item 1.8): anything else is a 400 before any link reads one.

Sanic decodes the request head with `surrogateescape`, so a byte that is not UTF-8
arrives as a lone surrogate; the first `.encode()` of such a value (the client-key
comparison, the cookie signature, a log line) raised UnicodeEncodeError, a 500. One
decode of the raw head answers for every header at once, so no link has to guard its
own, and the common case costs one C call.
"""

from __future__ import annotations

from app.core import errors
from app.core.request import TandemRequest


def require_utf8_headers(request: TandemRequest) -> None:
    head = request.head
    if not head:
        return  # Sanic's stand-in for a request it could not parse: no headers to read
    try:
        head.decode()
    except UnicodeDecodeError:
        raise errors.MalformedHeader(f"{_undecodable_header(request)} is not valid UTF-8") from None


def _undecodable_header(request: TandemRequest) -> str:
    """Which header it was, for the detail (never its value)."""
    for name, value in request.headers.items():
        if not _is_utf8(name):
            return "A header name"
        if not _is_utf8(value):
            return f"Header {name}"
    return "The request head"


def _is_utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True
