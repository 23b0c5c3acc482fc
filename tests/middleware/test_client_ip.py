"""The client IP behind proxies (issue 9 item 1.5): every X-Forwarded-For line, walked
from the right, trusting only the configured proxies."""

from __future__ import annotations

import pytest

from app.core.client_address import rate_subject
from middleware.client_ip import ClientIpResolver
from tests.factories import PASSWORD, sign_up
from tests.problems import assert_problem

PROXY = "10.0.0.5"
resolver = ClientIpResolver(["10.0.0.0/8", "2001:db8:ffff::/48"])


@pytest.mark.parametrize(
    ("peer", "lines", "client"),
    [
        # no proxy in front: the header is whatever the client wrote
        ("198.51.100.7", ["203.0.113.1"], "198.51.100.7"),
        # one proxy: the hop it appended
        (PROXY, ["203.0.113.1"], "203.0.113.1"),
        # a spoofed hop to the left of the one our proxy appended is not believed
        (PROXY, ["1.1.1.1, 203.0.113.1"], "203.0.113.1"),
        # several proxies of ours: walk past them
        (PROXY, ["203.0.113.1, 10.1.2.3, 10.9.9.9"], "203.0.113.1"),
        # several lines are one list, in order
        (PROXY, ["1.1.1.1", "203.0.113.1"], "203.0.113.1"),
        (PROXY, ["1.1.1.1, 203.0.113.1", "10.1.2.3"], "203.0.113.1"),
        # every hop is ours: the leftmost
        (PROXY, ["10.1.1.1, 10.2.2.2"], "10.1.1.1"),
        # a malformed hop stops the walk at the proxy that handed it over
        (PROXY, ["203.0.113.1, garbage"], PROXY),
        (PROXY, ["203.0.113.1, unknown, 10.1.2.3"], "10.1.2.3"),
        # empty list elements are skipped; ports and brackets are read
        (PROXY, ["203.0.113.1,, "], "203.0.113.1"),
        (PROXY, ["203.0.113.1:4711"], "203.0.113.1"),
        (PROXY, ["[2001:DB8::1]:443"], "2001:db8::1"),
        (PROXY, ["2001:db8:ffff::7, 2001:db8::1, 2001:db8:ffff::8"], "2001:db8::1"),
        # IPv4-mapped IPv6 is the IPv4 address
        (PROXY, ["::ffff:203.0.113.1"], "203.0.113.1"),
        ("::ffff:10.0.0.5", ["203.0.113.1"], "203.0.113.1"),
        # a zone index is not an address anyone else can see
        (PROXY, ["fe80::1%eth0"], PROXY),
    ],
)
def test_client_is_the_first_untrusted_hop_from_the_right(peer, lines, client):
    assert resolver.resolve(peer, lines) == client


def test_rate_subject_is_the_address_or_its_ipv6_64():
    assert rate_subject("203.0.113.1") == "203.0.113.1"
    assert rate_subject("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert rate_subject("2001:db8:1:2::9") == rate_subject("2001:db8:1:2:ffff::1")


async def test_spoofed_x_forwarded_for_from_untrusted_peer_is_ignored(
    make_settings, migrated_database, redis_url, start_app
):
    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        rate_limits={"auth_ip": {"limit": 3, "period_seconds": 60}},
    )
    async with start_app(settings) as live:
        # a fresh address in the header each time does not buy a fresh allowance
        for number in range(3):
            response = await live.client.post(
                "/api/v1/auth/sign-in",
                json={"email": f"s{number}@example.com", "password": "x"},
                headers={"X-Forwarded-For": f"203.0.113.{number}"},
            )
            assert response.status_code == 401
        limited = await live.client.post(
            "/api/v1/auth/sign-in",
            json={"email": "s9@example.com", "password": "x"},
            headers={"X-Forwarded-For": "198.51.100.77"},
        )
        assert_problem(limited, 429, "RATE_LIMITED")


async def session_ip(live, headers: list[tuple[str, str]]) -> str:
    """Sign in with these extra headers; the address the session list shows."""
    user = await sign_up(live.client)
    signed = await live.client.post(
        "/api/v1/auth/sign-in",
        json={"email": user["email"], "password": PASSWORD, "token": True},
        headers=headers,
    )
    assert signed.status_code == 200, signed.text
    bearer = {"Authorization": f"Bearer {signed.json()['data']['access_token']}"}
    sessions = (await live.client.get("/api/v1/auth/sessions", headers=bearer)).json()["data"]
    return sessions[0]["ip_address"]


async def test_second_x_forwarded_for_line_is_read(make_settings, migrated_database, redis_url, start_app):
    # a proxy that adds its own header line (rather than appending to the client's) puts
    # the real client in the last line; reading the first would believe the client's
    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        server={"trusted_proxies": ["127.0.0.1/32"]},
    )
    async with start_app(settings) as live:
        headers = [("X-Forwarded-For", "192.0.2.66"), ("X-Forwarded-For", "203.0.113.9")]
        assert await session_ip(live, headers) == "203.0.113.9"


async def test_forwarded_header_is_not_believed(make_settings, migrated_database, redis_url, start_app):
    # RFC 7239 `Forwarded` is ignored (docs/conventions.md): one header to trust, not two
    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        server={"trusted_proxies": ["127.0.0.1/32"]},
    )
    async with start_app(settings) as live:
        assert await session_ip(live, [("Forwarded", "for=192.0.2.66")]) == "127.0.0.1"
