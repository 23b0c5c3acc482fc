"""Rate limits that fit real networks (SPEC §1, issue 9 section 2): per account and IP
together and per IP for the auth routes (per account alone only on the routes that email
it), per token and per IP for the token routes, refresh on its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pyotp
import pytest
import redis as redis_sync

from app.core.settings import Settings
from tests.conftest import TRUSTED_ORIGIN, SettingsFactory
from tests.factories import PASSWORD, SignedInUser, sign_up
from tests.factories import verify_email as verify_email_of
from tests.live_server import LiveServer
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


async def forgot_password(client, email: str, **headers: str):
    return await client.post(
        "/api/v1/auth/forgot-password",
        headers=headers,
        json={"email": email, "callback_url": f"{TRUSTED_ORIGIN}/reset"},
    )


def remaining(response) -> int:
    return int(response.headers["ratelimit"].split("r=")[1].split(";")[0])


async def test_office_behind_one_ip_can_sign_in_many_people(server):
    # a school at 9 am: twenty people, one address, one minute
    people = [await sign_up(server.client) for _ in range(20)]
    for person in people:
        response = await sign_in(server.client, person["email"])
        assert response.status_code == 200, response.text


async def test_wrong_sign_ins_from_another_ip_do_not_rate_limit_the_owner(
    make_settings, migrated_database, redis_url, start_app
):
    settings = make_settings(database={"url": migrated_database}, redis={"url": redis_url}, server=PROXIED)
    async with start_app(settings) as live:
        owner = await sign_up(live.client)
        await verify_email_of(SignedInUser(id=owner["id"], email=owner["email"], client=live.client))
        # someone who knows the email spends the auth allowance from their address
        attacker = {"X-Forwarded-For": "203.0.113.66"}
        for _ in range(5):
            response = await sign_in(live.client, owner["email"], "wrong-password", **attacker)
            assert response.status_code == 401
        limited = await sign_in(live.client, owner["email"], "wrong-password", **attacker)
        assert_problem(limited, 429, "RATE_LIMITED")
        assert limited.headers["ratelimit-policy"] == '"auth";q=5;w=60'

        # the owner, from home: signs in with a full allowance of their own
        home = {"X-Forwarded-For": "198.51.100.7"}
        signed = await sign_in(live.client, owner["email"], **home)
        assert signed.status_code == 200, signed.text
        assert signed.headers["ratelimit"].startswith('"auth";r=4;')
        # asks for a reset link (what lifts a lockout) ...
        assert (await forgot_password(live.client, owner["email"], **home)).status_code == 200
        # ... and acts on the signed-in routes limited per account
        session = {"Cookie": f"tandem_session={signed.cookies['tandem_session']}", **home}
        enrolled = await live.client.post(
            "/api/v1/auth/mfa/enroll", json={"password": PASSWORD}, headers=session
        )
        assert enrolled.status_code == 200, enrolled.text
        change = await live.client.post(
            "/api/v1/profile/request-profile-change",
            headers=session,
            json={
                "name": "Owner",
                "nickname": "the-owner",
                "callback_url": f"{TRUSTED_ORIGIN}/confirm-change",
            },
        )
        assert change.status_code == 200, change.text
        # the attacker's address is still held
        again = await sign_in(live.client, owner["email"], "wrong-password", **attacker)
        assert_problem(again, 429, "RATE_LIMITED")


async def test_one_mailbox_cannot_be_mailed_more_than_the_account_allowance_from_many_ips(
    make_settings, migrated_database, redis_url, start_app
):
    settings = make_settings(database={"url": migrated_database}, redis={"url": redis_url}, server=PROXIED)
    async with start_app(settings) as live:
        owner = await sign_up(live.client)  # the verification email: 1 of the 10
        signed = await sign_in(live.client, owner["email"])
        assert signed.status_code == 200, signed.text
        session = {"Cookie": f"tandem_session={signed.cookies['tandem_session']}"}
        # the owner resends the verification email: 2 of the 10
        resent = await live.client.post("/api/v1/auth/send-verification-email", json={}, headers=session)
        assert resent.status_code == 200, resent.text
        # reset links asked for from many addresses, each well within its own allowance
        for number in range(8):
            response = await forgot_password(
                live.client, owner["email"], **{"X-Forwarded-For": f"203.0.113.{number}"}
            )
            assert response.status_code == 200, response.text
            # the mailbox's allowance is not shown while it is not what refuses
            assert response.headers["ratelimit-policy"] == '"auth";q=5;w=60'
        limited = await forgot_password(live.client, owner["email"], **{"X-Forwarded-For": "198.51.100.77"})
        assert_problem(limited, 429, "RATE_LIMITED")
        assert limited.headers["ratelimit-policy"] == '"auth_account";q=10;w=3600'
        assert 300 <= int(limited.headers["retry-after"]) <= 360
        # every route that emails the account is refused, the signed-in ones too
        for path, body in [
            ("/api/v1/auth/send-verification-email", {}),
            (
                "/api/v1/profile/request-profile-change",
                {
                    "name": "Another Name",
                    "nickname": "another-name",
                    "callback_url": f"{TRUSTED_ORIGIN}/confirm-change",
                },
            ),
        ]:
            refused = await live.client.post(path, json=body, headers=session)
            assert_problem(refused, 429, "RATE_LIMITED")
        assert_problem(
            await live.client.post(
                "/api/v1/auth/sign-up",
                json={
                    "name": "Someone",
                    "nickname": "someone-else",
                    "email": owner["email"],
                    "password": PASSWORD,
                },
                headers={"X-Forwarded-For": "198.51.100.78"},
            ),
            429,
            "RATE_LIMITED",
        )
        # another mailbox from the same address is not held up by it
        other = await forgot_password(
            live.client, "someone-else@example.com", **{"X-Forwarded-For": "198.51.100.77"}
        )
        assert other.status_code == 200
        # and the owner still signs in, from anywhere: sign-in sends no email
        again = await sign_in(live.client, owner["email"], **{"X-Forwarded-For": "198.51.100.77"})
        assert again.status_code == 200, again.text


async def test_rate_limit_headers_do_not_reveal_another_clients_use_of_an_account(
    make_settings, migrated_database, redis_url, start_app
):
    settings = make_settings(database={"url": migrated_database}, redis={"url": redis_url}, server=PROXIED)
    async with start_app(settings) as live:
        victim, stranger = "headers-victim@example.com", "headers-stranger@example.com"
        # the victim's account in use elsewhere: 8 of its 10 emails an hour, 3 sign-ins
        for number in range(8):
            response = await forgot_password(
                live.client, victim, **{"X-Forwarded-For": f"203.0.113.{number % 2}"}
            )
            assert response.status_code == 200
        for _ in range(3):
            response = await sign_in(
                live.client, victim, "wrong-password", **{"X-Forwarded-For": "203.0.113.9"}
            )
            assert response.status_code == 401

        # an observer elsewhere sees the same headers for it as for an account never used
        async def seen(email: str, address: str) -> list[tuple[str, int]]:
            observer = {"X-Forwarded-For": address}
            answers = [
                await sign_in(live.client, email, "wrong-password", **observer),
                await forgot_password(live.client, email, **observer),
            ]
            return [(answer.headers["ratelimit-policy"], remaining(answer)) for answer in answers]

        expected = [('"auth";q=5;w=60', 4), ('"auth";q=5;w=60', 3)]
        assert await seen(victim, "198.51.100.5") == expected
        assert await seen(stranger, "198.51.100.6") == expected


async def test_token_routes_are_limited_per_token_and_per_ip(
    make_settings, migrated_database, redis_url, start_app
):
    settings = make_settings(database={"url": migrated_database}, redis={"url": redis_url}, server=PROXIED)
    async with start_app(settings) as live:
        # one token guessed at from many addresses: 20 tries, then 429
        for number in range(20):
            response = await verify_email(live.client, token(0), **{"X-Forwarded-For": f"203.0.113.{number}"})
            assert_problem(response, 422, "INVALID_TOKEN")
            assert response.headers["ratelimit-policy"] == '"token";q=20;w=60'
        limited = await verify_email(live.client, token(0), **{"X-Forwarded-For": "198.51.100.1"})
        assert_problem(limited, 429, "RATE_LIMITED")

        # many tokens from one address: 20 tries, then 429, on every token route
        for number in range(1, 21):
            response = await verify_email(live.client, token(number), **{"X-Forwarded-For": "198.51.100.2"})
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
        assert (
            await sign_in(
                live.client, "nobody@example.com", "wrong-password", **{"X-Forwarded-For": "198.51.100.2"}
            )
        ).status_code == 401

        # the limiter keeps a digest of the token, never the token
        client = redis_sync.Redis.from_url(redis_url)
        try:
            assert all(token(0).encode() not in key for key in client.keys("*"))
        finally:
            client.close()


async def test_refresh_has_its_own_policy(make_settings, migrated_database, redis_url, start_app):
    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        rate_limits={
            "refresh": {"limit": 3, "period_seconds": 60},
            "auth_ip": {"limit": 2, "period_seconds": 60},
        },
    )
    async with start_app(settings) as live:
        # the address spends its auth allowance: refresh is not affected
        for email in ("a@example.com", "b@example.com"):
            assert (await sign_in(live.client, email, "wrong-password")).status_code == 401
        assert_problem(await sign_in(live.client, "c@example.com", "wrong"), 429, "RATE_LIMITED")
        for number in range(3):
            response = await refresh(live.client, token(number))
            assert_problem(response, 401, "UNAUTHENTICATED")
            assert response.headers["ratelimit-policy"] == '"refresh";q=3;w=60'
        assert_problem(await refresh(live.client, token(9)), 429, "RATE_LIMITED")


async def test_ipv6_clients_share_a_limit_per_64(make_settings, migrated_database, redis_url, start_app):
    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        server=PROXIED,
        rate_limits={"auth_ip": {"limit": 3, "period_seconds": 60}},
    )
    async with start_app(settings) as live:
        # one subscriber's /64 holds 2^64 addresses: each must not be a fresh allowance
        for number, address in enumerate(["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ab::9"]):
            response = await sign_in(
                live.client, f"v6-{number}@example.com", "wrong", **{"X-Forwarded-For": address}
            )
            assert response.status_code == 401
        limited = await sign_in(
            live.client,
            "v6-9@example.com",
            "wrong",
            **{"X-Forwarded-For": "2001:db8:1:2:ffff:ffff:ffff:ffff"},
        )
        assert_problem(limited, 429, "RATE_LIMITED")
        # the next /64 is someone else
        other = await sign_in(
            live.client, "v6-10@example.com", "wrong", **{"X-Forwarded-For": "2001:db8:1:3::1"}
        )
        assert other.status_code == 401


@pytest.fixture
async def default_limits_mail_server(
    make_settings: SettingsFactory, migrated_database: str, redis_url: str, smtp_server: SmtpServer, start_app
) -> AsyncIterator[LiveServer]:
    """Emails reach aiosmtpd, and the rate limits are the shipped defaults."""
    from tasks.broker import start_in_process_worker, stop_worker

    settings: Settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        email={"backend": "smtp", "smtp_url": smtp_server.url},
        broker={"min_backoff_ms": 50, "max_backoff_ms": 500},
        outbox={"relay_interval_seconds": 0.2},
    )
    async with start_app(settings) as live:
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
