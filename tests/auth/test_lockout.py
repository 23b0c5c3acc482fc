"""Sign-in lockout after failed sign-ins, alike for known and unknown emails: per account
and client IP first, account-wide only far above that, lifted by a password reset.

The clients' addresses come from `X-Forwarded-For`, sent through the loopback peer,
which these tests configure as a trusted proxy."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.auth import one_time_tokens
from app.auth.one_time_tokens import Purpose
from models import SignInThrottle
from tests.conftest import ROOMY_AUTH_LIMIT, TRUSTED_ORIGIN
from tests.factories import PASSWORD, sign_up, signed_in_user, verify_email
from tests.mail import text_of
from tests.problems import assert_problem

SIGN_IN = "/api/v1/auth/sign-in"
FAILURES = 3
ACCOUNT_WIDE_FAILURES = 7
LOCKOUT_SECONDS = 120
LOCKOUT = {
    "lockout_after_failures": FAILURES,
    "lockout_seconds": LOCKOUT_SECONDS,
    "lockout_account_wide_after_failures": ACCOUNT_WIDE_FAILURES,
}
OWNER_IP = "198.51.100.20"
ATTACKER_IP = "203.0.113.66"


@pytest.fixture
def settings(make_settings, migrated_database, redis_url):
    # the IP and account rate limits are raised so that the lockout is what refuses
    return make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        rate_limits=ROOMY_AUTH_LIMIT,
        accounts=LOCKOUT,
        server={"trusted_proxies": ["127.0.0.1/32"]},
    )


async def sign_in(server, email: str, password: str, ip: str | None = None):  # type: ignore[no-untyped-def]
    headers = {"X-Forwarded-For": ip} if ip else {}
    return await server.client.post(SIGN_IN, json={"email": email, "password": password}, headers=headers)


async def fail(server, email: str, times: int, ip: str | None = None) -> None:
    for _ in range(times):
        assert_problem(await sign_in(server, email, "wrong-password", ip), 401, "UNAUTHENTICATED")


async def test_locked_after_failures_in_a_row_even_with_the_right_password(server):
    user = await sign_up(server.client)
    await fail(server, user["email"], FAILURES)
    response = await sign_in(server, user["email"], PASSWORD)
    body = assert_problem(response, 429, "RATE_LIMITED")
    assert 1 <= int(response.headers["retry-after"]) <= LOCKOUT_SECONDS
    assert "set-cookie" not in response.headers
    assert "password" not in body["detail"].lower()
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=LOCKOUT_SECONDS - 10), tick=True):
        assert_problem(await sign_in(server, user["email"], PASSWORD), 429, "RATE_LIMITED")
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=LOCKOUT_SECONDS + 1), tick=True):
        assert (await sign_in(server, user["email"], PASSWORD)).status_code == 200


async def test_unknown_email_is_locked_out_exactly_like_a_known_one(server):
    user = await sign_up(server.client)
    unknown = "nobody-here@example.com"
    for email in (user["email"], unknown):
        await fail(server, email, FAILURES)
    known_locked = await sign_in(server, user["email"], PASSWORD)
    unknown_locked = await sign_in(server, unknown, PASSWORD)
    known_body = assert_problem(known_locked, 429, "RATE_LIMITED")
    unknown_body = assert_problem(unknown_locked, 429, "RATE_LIMITED")
    assert known_body["detail"] == unknown_body["detail"]
    assert abs(int(known_locked.headers["retry-after"]) - int(unknown_locked.headers["retry-after"])) <= 2


async def test_a_successful_sign_in_resets_the_count(server):
    user = await sign_up(server.client)
    await fail(server, user["email"], FAILURES - 1)
    assert (await sign_in(server, user["email"], PASSWORD)).status_code == 200
    await fail(server, user["email"], FAILURES - 1)  # would lock here had the count remained
    assert (await sign_in(server, user["email"], PASSWORD)).status_code == 200


async def test_the_count_is_per_email_whatever_its_case(server):
    user = await sign_up(server.client)
    other = await sign_up(server.client)
    await fail(server, user["email"].upper(), FAILURES - 1)
    await fail(server, user["email"], 1)
    assert_problem(await sign_in(server, user["email"], PASSWORD), 429, "RATE_LIMITED")
    assert (await sign_in(server, other["email"], PASSWORD)).status_code == 200


async def test_after_the_lockout_the_count_starts_again(server):
    user = await sign_up(server.client)
    await fail(server, user["email"], FAILURES)
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=LOCKOUT_SECONDS + 1), tick=True):
        await fail(server, user["email"], FAILURES)
        assert_problem(await sign_in(server, user["email"], PASSWORD), 429, "RATE_LIMITED")


async def test_the_throttle_never_stores_the_email_nor_the_address(server):
    user = await sign_up(server.client)
    await fail(server, user["email"], 1, ATTACKER_IP)
    rows = await SignInThrottle.all()
    assert len(rows) == 2  # this client's count, and the account's over every client
    assert [row.failures for row in rows] == [1, 1]
    for row in rows:
        stored = " ".join(str(getattr(row, name)) for name in row._meta.fields_map)
        assert user["email"] not in stored and ATTACKER_IP not in stored
        assert len(row.account_digest) == 64 and len(row.client_digest) in (0, 64)


async def test_a_malformed_sign_in_is_400_and_does_not_count(server):
    user = await sign_up(server.client)
    for _ in range(FAILURES + 1):
        response = await server.client.post(SIGN_IN, json={"email": user["email"]})
        assert_problem(response, 400, "VALIDATION_ERROR")
    assert await SignInThrottle.all().count() == 0
    assert (await sign_in(server, user["email"], PASSWORD)).status_code == 200


async def test_wrong_passwords_from_another_ip_do_not_lock_out_the_owner(server):
    user = await sign_up(server.client)
    await fail(server, user["email"], FAILURES, ATTACKER_IP)

    # the attacker's own address is locked, right password or not; the owner's is not
    assert_problem(await sign_in(server, user["email"], PASSWORD, ATTACKER_IP), 429, "RATE_LIMITED")
    assert (await sign_in(server, user["email"], PASSWORD, OWNER_IP)).status_code == 200
    await fail(server, user["email"], FAILURES - 1, OWNER_IP)  # the owner's count is their own
    assert (await sign_in(server, user["email"], PASSWORD, OWNER_IP)).status_code == 200


async def test_new_addresses_in_one_ipv6_64_do_not_escape_the_lockout(server):
    user = await sign_up(server.client)
    for host in range(1, FAILURES + 1):
        await fail(server, user["email"], 1, f"2001:db8:7:9::{host}")

    locked = await sign_in(server, user["email"], PASSWORD, "2001:db8:7:9:ffff::1")

    assert_problem(locked, 429, "RATE_LIMITED")
    assert (await sign_in(server, user["email"], PASSWORD, "2001:db8:7:a::1")).status_code == 200


async def test_failures_from_many_addresses_lock_the_account_only_far_above_the_per_ip_limit(server):
    user = await sign_up(server.client)
    addresses = [f"203.0.113.{number}" for number in range(1, 20)]
    for address in addresses[: ACCOUNT_WIDE_FAILURES - 1]:
        await fail(server, user["email"], 1, address)
    # below the account-wide limit the owner gets in; that does not reset the account's count
    assert (await sign_in(server, user["email"], PASSWORD, OWNER_IP)).status_code == 200

    await fail(server, user["email"], 1, addresses[-1])

    locked = await sign_in(server, user["email"], PASSWORD, OWNER_IP)
    assert_problem(locked, 429, "RATE_LIMITED")
    assert 1 <= int(locked.headers["retry-after"]) <= LOCKOUT_SECONDS
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=LOCKOUT_SECONDS + 1), tick=True):
        assert (await sign_in(server, user["email"], PASSWORD, OWNER_IP)).status_code == 200


async def test_password_reset_lifts_the_lockout(server):
    user = await sign_up(server.client)
    await fail(server, user["email"], FAILURES, OWNER_IP)  # the owner's own address
    for number in range(ACCOUNT_WIDE_FAILURES - FAILURES):  # and the whole account
        await fail(server, user["email"], 1, f"203.0.113.{number + 1}")
    assert_problem(await sign_in(server, user["email"], PASSWORD, OWNER_IP), 429, "RATE_LIMITED")
    assert_problem(await sign_in(server, user["email"], PASSWORD, "192.0.2.1"), 429, "RATE_LIMITED")
    # the link from the forgot-password email (its flow has tests of its own)
    token = await one_time_tokens.issue(user["id"], Purpose.RESET_PASSWORD, ttl_seconds=600)

    reset = await server.client.post(
        "/api/v1/auth/reset-password",
        json={"token": token, "new_password": "a-brand-new-passphrase"},
        headers={"X-Forwarded-For": OWNER_IP},
    )

    assert reset.status_code == 200, reset.text
    assert (await sign_in(server, user["email"], "a-brand-new-passphrase", OWNER_IP)).status_code == 200
    assert await SignInThrottle.all().count() == 0


async def test_a_completed_password_change_lifts_the_lockout(server):
    person = await signed_in_user(server)
    await fail(server, person.email, FAILURES, ATTACKER_IP)
    assert_problem(await sign_in(server, person.email, PASSWORD, ATTACKER_IP), 429, "RATE_LIMITED")
    requested = await person.client.post(
        "/api/v1/profile/request-password-change",
        json={
            "current_password": PASSWORD,
            "new_password": "a-brand-new-passphrase",
            "callback_url": f"{TRUSTED_ORIGIN}/confirm",
        },
    )
    assert requested.status_code == 200, requested.text
    # the link from the confirmation email, as the owner would open it
    token = await one_time_tokens.issue(
        person.id,
        Purpose.CONFIRM_PASSWORD,
        ttl_seconds=600,
        payload={"password_hash": await server.state.passwords.hash("a-brand-new-passphrase")},
    )

    confirmed = await server.client.post("/api/v1/profile/confirm-change", json={"token": token})

    assert confirmed.status_code == 200, confirmed.text
    assert await SignInThrottle.all().count() == 0
    assert (await sign_in(server, person.email, "a-brand-new-passphrase", ATTACKER_IP)).status_code == 200


async def test_a_stolen_session_cannot_guess_the_password_through_reauthentication(server):
    person = await signed_in_user(server)  # from 127.0.0.1, the address these requests come from
    await verify_email(person)
    guesses = [
        person.client.post("/api/v1/auth/mfa/enroll", json={"password": "guess-number-1"}),
        person.client.post(
            "/api/v1/profile/request-password-change",
            json={
                "current_password": "guess-number-2",
                "new_password": "a-brand-new-passphrase",
                "callback_url": f"{TRUSTED_ORIGIN}/confirm",
            },
        ),
        person.client.request("DELETE", "/api/v1/me", json={"password": "guess-number-3"}),
    ]
    assert len(guesses) == FAILURES
    for guess in guesses:
        assert_problem(await guess, 422, "INCORRECT_PASSWORD")

    # now even the right password is refused there, and sign-in from that address too
    deletion = await person.client.request("DELETE", "/api/v1/me", json={"password": PASSWORD})
    assert_problem(deletion, 429, "RATE_LIMITED")
    assert_problem(await sign_in(server, person.email, PASSWORD), 429, "RATE_LIMITED")
    assert (await person.client.get("/api/v1/me")).status_code == 200  # not deleted


NOTIFIED_LOCKOUT_SECONDS = 3


@pytest.fixture
def mail_settings(make_settings, migrated_database, redis_url, smtp_server):  # type: ignore[no-untyped-def]
    return make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        email={"backend": "smtp", "smtp_url": smtp_server.url},
        broker={"min_backoff_ms": 50, "max_backoff_ms": 500},
        outbox={"relay_interval_seconds": 0.2},
        rate_limits=ROOMY_AUTH_LIMIT,
        accounts={**LOCKOUT, "lockout_seconds": NOTIFIED_LOCKOUT_SECONDS},
        server={"trusted_proxies": ["127.0.0.1/32"]},
    )


async def test_owner_is_emailed_once_when_account_wide_failures_cross_the_limit(mail_server, smtp_server):
    user = await sign_up(mail_server.client)
    subject = "trying to sign in"

    for attack in range(2):  # a second wave within the hour is not emailed again
        for number in range(ACCOUNT_WIDE_FAILURES):
            await fail(mail_server, user["email"], 1, f"203.0.{113 + attack}.{number + 1}")
        assert_problem(await sign_in(mail_server, user["email"], PASSWORD, OWNER_IP), 429, "RATE_LIMITED")
        if attack == 0:
            notice = await smtp_server.inbox.wait_for(user["email"], subject)
            await asyncio.sleep(NOTIFIED_LOCKOUT_SECONDS + 0.5)  # the lock ends; the count restarts

    assert "reset your password" in text_of(notice)
    await asyncio.sleep(1)  # time for a second notice to be relayed and sent, were there one
    sent = [m for m in smtp_server.inbox.to(user["email"]) if subject in m["Subject"].lower()]
    assert len(sent) == 1
