"""Per-account lockout after failed sign-ins, alike for known and unknown emails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from models import SignInThrottle
from tests.conftest import ROOMY_AUTH_LIMIT
from tests.factories import PASSWORD, sign_up
from tests.problems import assert_problem

SIGN_IN = "/api/v1/auth/sign-in"
FAILURES = 3
LOCKOUT_SECONDS = 120


@pytest.fixture
def settings(make_settings, migrated_database, redis_url):
    # the IP and account rate limits are raised so that the lockout is what refuses
    return make_settings(
        database={"url": migrated_database}, redis={"url": redis_url},
        rate_limits=ROOMY_AUTH_LIMIT,
        accounts={"lockout_after_failures": FAILURES, "lockout_seconds": LOCKOUT_SECONDS},
    )


async def sign_in(server, email: str, password: str):  # type: ignore[no-untyped-def]
    return await server.client.post(SIGN_IN, json={"email": email, "password": password})


async def fail(server, email: str, times: int) -> None:
    for _ in range(times):
        assert_problem(await sign_in(server, email, "wrong-password"), 401, "UNAUTHENTICATED")


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


async def test_the_throttle_never_stores_the_email(server):
    user = await sign_up(server.client)
    await fail(server, user["email"], 1)
    rows = await SignInThrottle.all()
    assert len(rows) == 1
    assert rows[0].failures == 1
    assert user["email"] not in rows[0].account_digest and len(rows[0].account_digest) == 64


async def test_a_malformed_sign_in_is_400_and_does_not_count(server):
    user = await sign_up(server.client)
    for _ in range(FAILURES + 1):
        response = await server.client.post(SIGN_IN, json={"email": user["email"]})
        assert_problem(response, 400, "VALIDATION_ERROR")
    assert await SignInThrottle.all().count() == 0
    assert (await sign_in(server, user["email"], PASSWORD)).status_code == 200
