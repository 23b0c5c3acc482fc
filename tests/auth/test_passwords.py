"""Password policy, sign-in timing, and re-hashing when the argon2 cost rises (SPEC §2)."""

from __future__ import annotations

import statistics
import time

import pytest
from argon2 import extract_parameters

from models import User
from tests.conftest import ROOMY_AUTH_LIMIT, TEST_PASSWORD_COST
from tests.factories import PASSWORD, sign_up
from tests.problems import assert_problem

SIGN_UP = "/api/v1/auth/sign-up"
SIGN_IN = "/api/v1/auth/sign-in"
# the configured default (config.toml): one hash takes about a tenth of a second
PRODUCTION_COST = {"time_cost": 3, "memory_cost_kib": 65_536, "parallelism": 4}


pytestmark = pytest.mark.many_sign_ins


@pytest.fixture
async def production_cost_server(make_settings, migrated_database, redis_url, start_app):
    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        passwords=PRODUCTION_COST,
        rate_limits=ROOMY_AUTH_LIMIT,
    )
    async with start_app(settings) as live:
        yield live


def account(password: str) -> dict[str, str]:
    return {"name": "Pat", "nickname": "pat", "email": "pat@example.com", "password": password}


@pytest.mark.parametrize("password", ["password1", "iloveyou", "PassWord1", "sunshine1"])
async def test_a_common_password_is_refused(server, password):
    body = assert_problem(await server.client.post(SIGN_UP, json=account(password)), 400, "VALIDATION_ERROR")
    assert [error["field"] for error in body["errors"]] == ["password"]
    assert "common" in body["errors"][0]["message"]
    assert await User.all().count() == 0


@pytest.mark.parametrize("password", ["a" * 3 + "b" * 4, "x" * 129])
async def test_a_password_outside_8_to_128_characters_is_refused(server, password):
    body = assert_problem(await server.client.post(SIGN_UP, json=account(password)), 400, "VALIDATION_ERROR")
    assert [error["field"] for error in body["errors"]] == ["password"]
    assert await User.all().count() == 0


@pytest.mark.parametrize("password", ["Tq8#vLz2", "Tq8#vLz2" * 16])
async def test_8_and_128_characters_are_accepted(server, password):
    assert len(password) in (8, 128)
    assert (await server.client.post(SIGN_UP, json=account(password))).status_code == 201
    signed = await server.client.post(SIGN_IN, json={"email": "pat@example.com", "password": password})
    assert signed.status_code == 200


async def timed(call) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


async def test_a_huge_password_is_refused_before_any_hashing(production_cost_server):
    server = production_cost_server
    huge = "correct-horse-" * 750  # about 10 kB
    existing = await sign_up(server.client)

    async def sign_up_huge():  # type: ignore[no-untyped-def]
        response = await server.client.post(SIGN_UP, json=account(huge))
        assert_problem(response, 400, "VALIDATION_ERROR")

    async def sign_in_huge():  # type: ignore[no-untyped-def]
        response = await server.client.post(SIGN_IN, json={"email": existing["email"], "password": huge})
        assert_problem(response, 400, "VALIDATION_ERROR")

    async def sign_in_wrong():  # type: ignore[no-untyped-def]
        response = await server.client.post(SIGN_IN, json={"email": existing["email"], "password": "x" * 12})
        assert response.status_code == 401

    one_hash = statistics.median([await timed(sign_in_wrong) for _ in range(3)])
    for call in (sign_up_huge, sign_in_huge):
        elapsed = statistics.median([await timed(call) for _ in range(3)])
        assert elapsed < 0.05, f"{call.__name__} took {elapsed * 1000:.1f} ms"
        assert elapsed < one_hash / 2, (elapsed, one_hash)
    assert await User.all().count() == 1


async def test_sign_in_takes_as_long_for_an_unknown_email_as_for_a_wrong_password(
    production_cost_server,
):
    """No account enumeration by timing: an unknown email is checked against a dummy hash."""
    server = production_cost_server
    user = await sign_up(server.client)

    async def attempt(email: str) -> float:
        async def call():  # type: ignore[no-untyped-def]
            response = await server.client.post(SIGN_IN, json={"email": email, "password": "not-it-123"})
            assert response.status_code == 401

        return await timed(call)

    wrong_password, unknown_email = [], []
    for _ in range(5):  # interleaved, fewer than the lockout threshold
        wrong_password.append(await attempt(user["email"]))
        unknown_email.append(await attempt("no-such-person@example.com"))
    ratio = statistics.median(unknown_email) / statistics.median(wrong_password)
    # without the dummy hash the unknown email would answer several times faster
    assert 0.6 < ratio < 1.6, (unknown_email, wrong_password)


async def test_sign_in_rehashes_a_password_hashed_with_a_lower_cost(
    make_settings, migrated_database, redis_url, start_app
):
    def settings_with(passwords):  # type: ignore[no-untyped-def]
        return make_settings(
            database={"url": migrated_database}, redis={"url": redis_url}, passwords=passwords
        )

    async with start_app(settings_with(TEST_PASSWORD_COST)) as before:
        user = await sign_up(before.client)
        old_hash = (await User.get(id=user["id"])).password_hash
    assert extract_parameters(old_hash).time_cost == TEST_PASSWORD_COST["time_cost"]

    raised = {**TEST_PASSWORD_COST, "time_cost": TEST_PASSWORD_COST["time_cost"] + 1}
    async with start_app(settings_with(raised)) as after:
        credentials = {"email": user["email"], "password": PASSWORD}
        assert (await after.client.post(SIGN_IN, json=credentials)).status_code == 200
        new_hash = (await User.get(id=user["id"])).password_hash
        assert new_hash != old_hash
        assert extract_parameters(new_hash).time_cost == raised["time_cost"]
        # the password still works, and an up-to-date hash is left alone
        assert (await after.client.post(SIGN_IN, json=credentials)).status_code == 200
        assert (await User.get(id=user["id"])).password_hash == new_hash
        wrong = {**credentials, "password": "not-the-password"}
        assert (await after.client.post(SIGN_IN, json=wrong)).status_code == 401
