"""Rate limits that fit real networks (SPEC §1, issue 9 section 2): per account and per
IP for the auth routes, per token and per IP for the token routes, refresh on its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pyotp
import pytest
import redis as redis_sync

from app.core.settings import Settings
from tests.conftest import TRUSTED_ORIGIN, SettingsFactory, _app_numbers
from tests.factories import PASSWORD, sign_up
from tests.live_server import LiveServer, start_server
from tests.mail import SmtpServer, token_in
from tests.problems import assert_problem

PROXIED = {"trusted_proxies": ["127.0.0.1/32"]}


def token(number: int) -> str:
    """A well-formed token that was never issued (43 characters of the token alphabet)."""
    return f"guess{number:04d}".ljust(43, "x")


async def verify_email(client, value: str, **headers: str):
    return await client.post("/api/v1/auth/verify-email", json={"token": value}, headers=headers)


async def sign_in(client, email: str, password: str = PASSWORD, **headers: str):
    return await client.post(
        "/api/v1/auth/sign-in", json={"email": email, "password": password}, headers=headers
    )


async def refresh(client, value: str):
    return await client.post("/api/v1/auth/refresh", json={"refresh_token": value})


async def test_office_behind_one_ip_can_sign_in_many_people(server):
    # a school at 9 am: twenty people, one address, one minute
    people = [await sign_up(server.client) for _ in range(20)]
    for person in people:
        response = await sign_in(server.client, person["email"])
        assert response.status_code == 200, response.text


async def test_token_routes_are_limited_per_token_and_per_ip(make_settings, migrated_database,
                                                             redis_url):
    settings = make_settings(database={"url": migrated_database}, redis={"url": redis_url},
                             server=PROXIED)
    async with start_server(settings, name=f"tandem_test_{next(_app_numbers)}") as live:
        # one token guessed at from many addresses: 20 tries, then 429
        for number in range(20):
            response = await verify_email(live.client, token(0),
                                          **{"X-Forwarded-For": f"203.0.113.{number}"})
            assert_problem(response, 422, "INVALID_TOKEN")
            assert response.headers["ratelimit-policy"] == '"token";q=20;w=60'
        limited = await verify_email(live.client, token(0), **{"X-Forwarded-For": "198.51.100.1"})
        assert_problem(limited, 429, "RATE_LIMITED")

        # many tokens from one address: 20 tries, then 429, on every token route
        for number in range(1, 21):
            response = await verify_email(live.client, token(number),
                                          **{"X-Forwarded-For": "198.51.100.2"})
            assert response.status_code == 422
        for path, body in [
            ("/api/v1/auth/verify-email", {"token": token(99)}),
            ("/api/v1/auth/reset-password", {"token": token(99), "new_password": "a-new-pass-phrase"}),
            ("/api/v1/auth/mfa/verify", {"mfa_token": token(99), "code": "123456"}),
            ("/api/v1/profile/confirm-change", {"token": token(99)}),
        ]:
            limited = await live.client.post(path, json=body, headers={"X-Forwarded-For": "198.51.100.2"})
            assert_problem(limited, 429, "RATE_LIMITED")
        # sign-in from that address is another policy, untouched
        assert (await sign_in(live.client, "nobody@example.com", "wrong-password",
                              **{"X-Forwarded-For": "198.51.100.2"})).status_code == 401

        # the limiter keeps a digest of the token, never the token
        client = redis_sync.Redis.from_url(redis_url)
        try:
            assert all(token(0).encode() not in key for key in client.keys("*"))
        finally:
            client.close()


async def test_refresh_has_its_own_policy(make_settings, migrated_database, redis_url):
    settings = make_settings(database={"url": migrated_database}, redis={"url": redis_url},
                             rate_limits={"refresh": {"limit": 3, "period_seconds": 60},
                                          "auth_ip": {"limit": 2, "period_seconds": 60}})
    async with start_server(settings, name=f"tandem_test_{next(_app_numbers)}") as live:
        # the address spends its auth allowance: refresh is not affected
        for email in ("a@example.com", "b@example.com"):
            assert (await sign_in(live.client, email, "wrong-password")).status_code == 401
        assert_problem(await sign_in(live.client, "c@example.com", "wrong"), 429, "RATE_LIMITED")
        for number in range(3):
            response = await refresh(live.client, token(number))
            assert_problem(response, 401, "UNAUTHENTICATED")
            assert response.headers["ratelimit-policy"] == '"refresh";q=3;w=60'
        assert_problem(await refresh(live.client, token(9)), 429, "RATE_LIMITED")


async def test_ipv6_clients_share_a_limit_per_64(make_settings, migrated_database, redis_url):
    settings = make_settings(database={"url": migrated_database}, redis={"url": redis_url},
                             server=PROXIED,
                             rate_limits={"auth_ip": {"limit": 3, "period_seconds": 60}})
    async with start_server(settings, name=f"tandem_test_{next(_app_numbers)}") as live:
        # one subscriber's /64 holds 2^64 addresses: each must not be a fresh allowance
        for number, address in enumerate(["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ab::9"]):
            response = await sign_in(live.client, f"v6-{number}@example.com", "wrong",
                                     **{"X-Forwarded-For": address})
            assert response.status_code == 401
        limited = await sign_in(live.client, "v6-9@example.com", "wrong",
                                **{"X-Forwarded-For": "2001:db8:1:2:ffff:ffff:ffff:ffff"})
        assert_problem(limited, 429, "RATE_LIMITED")
        # the next /64 is someone else
        other = await sign_in(live.client, "v6-10@example.com", "wrong",
                              **{"X-Forwarded-For": "2001:db8:1:3::1"})
        assert other.status_code == 401


@pytest.fixture
async def default_limits_mail_server(
    make_settings: SettingsFactory, migrated_database: str, redis_url: str, smtp_server: SmtpServer
) -> AsyncIterator[LiveServer]:
    """Emails reach aiosmtpd, and the rate limits are the shipped defaults."""
    from tasks.broker import start_in_process_worker, stop_worker

    settings: Settings = make_settings(
        database={"url": migrated_database}, redis={"url": redis_url},
        email={"backend": "smtp", "smtp_url": smtp_server.url},
        broker={"min_backoff_ms": 50, "max_backoff_ms": 500},
        outbox={"relay_interval_seconds": 0.2},
    )
    async with start_server(settings, name=f"tandem_test_{next(_app_numbers)}") as live:
        worker = start_in_process_worker(live.state.broker)
        try:
            yield live
        finally:
            stop_worker(worker, timeout_ms=2_000)


async def test_first_minute_of_a_new_user_is_not_limited(default_limits_mail_server, smtp_server):
    live = default_limits_mail_server
    user = await sign_up(live.client, callback_url=f"{TRUSTED_ORIGIN}/welcome")
    message = await smtp_server.inbox.wait_for(user["email"], "confirm your email")
    assert (await verify_email(live.client, token_in(message))).status_code == 200

    signed = await sign_in(live.client, user["email"])
    assert signed.status_code == 200, signed.text
    me = {"Cookie": f"tandem_session={signed.cookies['tandem_session']}"}

    async def post(path: str, body: dict[str, Any]):
        response = await live.client.post(path, json=body, headers=me)
        assert response.status_code == 200, response.text
        return response

    enrollment = (await post("/api/v1/auth/mfa/enroll", {"password": PASSWORD})).json()["data"]
    code = pyotp.TOTP(enrollment["secret"]).now()
    await post("/api/v1/auth/mfa/activate", {"code": code, "password": PASSWORD})
