"""Client addresses as the limiter and the lockout count them.

An address is parsed the way proxies write it, and an IPv6 client is counted per /64:
the block one subscriber is usually given, so new addresses from one home or phone do
not each get a fresh allowance. Shared by the rate-limit link and the sign-in lockout,
so both count the same subject.
"""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPV6_SUBJECT_PREFIX = 64


def parse_address(text: str) -> IPAddress | None:
    """An address as a proxy writes it ("1.2.3.4", "1.2.3.4:5678", "[2001:db8::1]:443",
    "2001:db8::1"); None when it is not one. IPv4-mapped IPv6 counts as the IPv4."""
    text = text.strip()
    if text.startswith("["):
        text, bracket, _ = text[1:].partition("]")
        if not bracket:
            return None
    elif text.count(":") == 1:  # IPv4 with a port (IPv6 has at least two colons)
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None:
            return None  # a zone index is meaningless beyond one host's link
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
    return address


def rate_subject(client_ip: str) -> str:
    """The rate-limit subject of an address: IPv4 as is, IPv6 as its /64 network."""
    if ":" not in client_ip:
        return client_ip
    address = parse_address(client_ip)
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, IPV6_SUBJECT_PREFIX), strict=False))
    return client_ip
