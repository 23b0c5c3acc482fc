"""Web origins (scheme, host, port) in the one spelling browsers send and compare.

Configured origins, `accounts.app_url` and every `callback_url` are reduced to an
`Origin` before they are compared, so `HTTPS://App.Example.com:443` and
`https://app.example.com` are one origin, and an internationalised host is compared
(and written into links) as its ASCII IDNA form: a look-alike letter gives another
ASCII host, never the trusted one.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class Origin:
    scheme: str  # "http" or "https"
    host: str  # lower-case ASCII; an IPv6 address without brackets
    port: int  # explicit, the scheme's default filled in

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    def __str__(self) -> str:
        """As a browser sends it in `Origin`: no default port, no trailing slash."""
        return f"{self.scheme}://{self.netloc}"


def ascii_host(hostname: str) -> str:
    """The host as DNS sees it: lower-case ASCII, IDNA A-labels for a Unicode name.
    ValueError when it cannot be one (an empty label, a label too long, ...)."""
    if hostname.isascii():
        return hostname.lower()
    try:
        return hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValueError("the host is not a valid internationalised domain name") from None


def parse_origin(url: str) -> Origin:
    """The origin of an absolute http(s) URL. ValueError for anything else, and for a
    URL with user info (`https://app.example.com@evil.net` goes to evil.net)."""
    parts = urlsplit(url)  # ValueError for a malformed netloc (e.g. bad brackets)
    port = parts.port  # ValueError for a port that is not a number in range
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError("not an absolute http or https URL")
    if "@" in parts.netloc:
        raise ValueError("user info is not allowed")
    scheme = parts.scheme
    return Origin(scheme, ascii_host(parts.hostname), DEFAULT_PORTS[scheme] if port is None else port)
