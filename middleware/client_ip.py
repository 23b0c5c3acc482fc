"""Who the client is, behind the proxies we were told to trust (SPEC §1, issue 9 item 1.5).

`X-Forwarded-For` is a list each proxy appends its peer to, so only its right end is
written by proxies we run; everything to the left of the first untrusted hop was
sent by the client and may be anything. The chain is walked from the right:

- the TCP peer first: if it is not a trusted proxy, it is the client and the header
  is ignored (a client cannot name itself by sending the header directly);
- then every hop, right to left, over all `X-Forwarded-For` lines joined in order
  (RFC 9110 §5.3: several lines are one comma-separated list); the first hop that is
  not a trusted proxy is the client;
- a hop that is not an IP address (garbage, `unknown`, an obfuscated name) stops
  the walk: the client is the last valid address on its right, the trusted proxy
  that handed it over. Taking the garbage as the client would let anyone behind a
  misconfigured proxy choose a fresh rate-limit subject per request; stopping there
  puts everyone behind that proxy under one limit instead (fail closed);
- if every hop is a trusted proxy, the leftmost one is the client.

`Forwarded` (RFC 7239) is ignored: the common proxies (nginx, HAProxy, cloud load
balancers, CDNs) all write `X-Forwarded-For`, and honouring two headers that can
disagree would give a client two ways to be believed (docs/conventions.md).

The rate limiter counts IPv6 clients per /64 (`rate_subject`), the block one
subscriber is usually given; the stored and logged address stays the full one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from app.core.client_address import IPAddress, parse_address

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ClientIpResolver:
    def __init__(self, trusted_proxies: Iterable[str]) -> None:
        self._trusted: tuple[Network, ...] = tuple(
            ipaddress.ip_network(item, strict=False) for item in trusted_proxies
        )

    def resolve(self, peer: str, forwarded_for: Sequence[str]) -> str:
        """The client's address as text, from the TCP peer and every X-Forwarded-For line."""
        if (not forwarded_for or not self._trusted) and ":" not in peer:
            return peer  # an IPv4 socket peer, nothing to walk: the common case, kept cheap
        peer_address = parse_address(peer)
        if peer_address is None:
            return peer  # not a TCP/IP peer (a Unix socket): nothing better to say
        if not forwarded_for or not self._is_trusted(peer_address):
            return str(peer_address)
        client = peer_address
        for hop in reversed(",".join(forwarded_for).split(",")):
            if not hop.strip():
                continue  # an empty list element (RFC 9110 §5.6.1 allows them)
            address = parse_address(hop)
            if address is None:
                break  # see the module docstring: the proxy on its right is the client
            client = address
            if not self._is_trusted(address):
                break
        return str(client)

    def _is_trusted(self, address: IPAddress) -> bool:
        return any(address in network for network in self._trusted)
