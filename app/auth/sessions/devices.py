"""The device a session was opened from, as stored and shown: IP address and User-Agent."""

from __future__ import annotations

# longest stored IP address and User-Agent (the columns' sizes)
IP_ADDRESS_LENGTH = 45
USER_AGENT_LENGTH = 512


def device_of(ip_address: str, user_agent: str) -> tuple[str, str]:
    """The (IP address, User-Agent) pair as a session stores it and emails show it."""
    return ip_address[:IP_ADDRESS_LENGTH], _printable(user_agent)[:USER_AGENT_LENGTH]


def _printable(header: str) -> str:
    """A header as storable text: bytes that are not UTF-8 arrive as lone surrogates,
    which the database driver cannot encode, and PostgreSQL text refuses NUL; either
    would turn a client's odd User-Agent into a 500 at sign-in."""
    try:
        raw = header.encode("utf-8", "surrogateescape")  # the bytes the client sent
    except UnicodeEncodeError:  # a surrogate that no byte decodes to
        raw = header.encode("utf-8", "replace")
    text = raw.decode("utf-8", "replace")  # each invalid byte becomes U+FFFD
    return "".join(character for character in text if character.isprintable())
