"""Rate limits (SPEC §1): GCRA, shared through Redis, per process when Redis is down.

The auth policies: 5 a minute per account and client IP, 60 a minute per client IP
(`auth_ip`), and on the routes that email the account 10 an hour per account (`auth_account`).
Policies that fit real networks (issue 9 section 2) are in test_rate_policies.py.
"""

from __future__ import annotations

import asyncio

import pytest

from app.core.settings import RatePolicy
from app.ratelimit.gcra import Check, MemoryGcra
from tests.factories import PASSWORD, sign_up
from tests.problems import assert_problem
from tests.redis_process import RedisProcess
from tests.waiting import eventually


async def sign_in(client, email: str = "someone@example.com", **headers: str):
    return await client.post(
        "/api/v1/auth/sign-in", json={"email": email, "password": "wrong-password"}, headers=headers
    )


def remaining(response) -> int:
    return int(response.headers["ratelimit"].split("r=")[1].split(";")[0])


async def test_sixth_sign_in_to_one_account_in_a_minute_is_429_with_retry_after(server):
    for attempt in range(5):
        response = await sign_in(server.client)
        assert response.status_code == 401
        assert response.headers["ratelimit-policy"] == '"auth";q=5;w=60'
        assert response.headers["ratelimit"].startswith(f'"auth";r={4 - attempt};')
    limited = await sign_in(server.client)
    assert_problem(limited, 429, "RATE_LIMITED")
    assert limited.headers["ratelimit-policy"] == '"auth";q=5;w=60'
    assert 1 <= int(limited.headers["retry-after"]) <= 12
    # another account from the same address is not held up by it
    assert (await sign_in(server.client, email="another@example.com")).status_code == 401


async def test_concurrent_requests_draw_exactly_the_budget(server):
    # requests that arrive together share one Redis round trip; each must still count
    answers = await asyncio.gather(*(sign_in(server.client) for _ in range(12)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [401] * 5 + [429] * 7
    assert sorted(remaining(a) for a in answers if a.status_code == 401) == [0, 1, 2, 3, 4]


async def test_many_accounts_from_one_ip_meet_the_auth_ip_ceiling(
    make_settings, migrated_database, redis_url, start_app
):
    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        rate_limits={"auth_ip": {"limit": 8, "period_seconds": 60}},
    )
    async with start_app(settings) as live:
        statuses = [(await sign_in(live.client, email=f"p{n}@example.com")).status_code for n in range(8)]
        assert statuses == [401] * 8
        limited = await sign_in(live.client, email="p9@example.com")
        assert_problem(limited, 429, "RATE_LIMITED")
        # the header names the policy that refused
        assert limited.headers["ratelimit-policy"] == '"auth_ip";q=8;w=60'


async def test_email_spelling_variants_share_one_account_limit(server):
    # one mailbox, six spellings that sign-up would store as one: fullwidth letters, the
    # ideographic full stop, upper case, a decomposed é; forgot-password mails the owner
    account = "ren\u00e9@example.com"
    spellings = [
        "ren\u00e9@\uff25XAMPLE.com",
        "ren\u00e9@example\u3002com",
        "REN\u00c9@EXAMPLE.COM",
        "rene\u0301@example.com",
        " Ren\u00e9@Example.Com ",
    ]
    for email in spellings:
        response = await server.client.post(
            "/api/v1/auth/forgot-password",
            json={"email": email, "callback_url": "https://app.example.com/reset"},
        )
        assert response.status_code == 200, response.text
    limited = await server.client.post(
        "/api/v1/auth/forgot-password",
        json={"email": account, "callback_url": "https://app.example.com/reset"},
    )
    assert_problem(limited, 429, "RATE_LIMITED")
    assert limited.headers["ratelimit-policy"] == '"auth";q=5;w=60'


async def test_invalid_spelling_variants_do_not_escape_the_account_limit(server):
    # not valid addresses (a trailing dot), in five spellings: each is a 400, and they
    # count under one key rather than a fresh one each
    spellings = [
        "ann@example.com.",
        "ANN@EXAMPLE.COM.",
        "ann@example\u3002com.",
        "ann@\uff45xample.com.",
        " Ann@Example.com. ",
    ]
    for email in spellings:
        assert_problem(await sign_in(server.client, email=email), 400, "VALIDATION_ERROR")
    assert_problem(await sign_in(server.client, email="ann@example.com\uff0e"), 429, "RATE_LIMITED")


async def test_limits_are_shared_between_processes(server, start_app):
    async with start_app(server.state.settings) as other:
        for _ in range(3):
            await sign_in(server.client)
        for _ in range(2):
            await sign_in(other.client)
        assert_problem(await sign_in(other.client), 429, "RATE_LIMITED")


def test_gcra_allows_burst_then_spreads_evenly():
    now = [1000.0]
    limiter = MemoryGcra(clock=lambda: now[0])
    check = [Check("auth", "k", RatePolicy(limit=5, period_seconds=60))]
    assert all(limiter.hit(check).allowed for _ in range(5))
    denied = limiter.hit(check)
    assert not denied.allowed and denied.retry_after_seconds == pytest.approx(12)
    now[0] += 11.9
    assert not limiter.hit(check).allowed
    now[0] += 0.2
    assert limiter.hit(check).allowed
    assert not limiter.hit(check).allowed


def test_gcra_names_the_check_that_refused_or_else_the_tightest():
    limiter = MemoryGcra(clock=lambda: 1000.0)
    account = Check("auth", "account:a", RatePolicy(limit=5, period_seconds=60))
    address = Check("auth_ip", "ip:1", RatePolicy(limit=2, period_seconds=60))
    assert limiter.hit([account, address]).check == address  # 1 left there, 4 on the account
    assert limiter.hit([account, address]).check == address
    denied = limiter.hit([account, address])
    assert not denied.allowed and denied.check == address


def test_gcra_names_an_undisclosed_check_only_when_it_refused():
    # the account over every address is shared with everyone who names it: its state is
    # not the client's to see, however tight, unless it is what refuses
    limiter = MemoryGcra(clock=lambda: 1000.0)
    pair = Check("auth", "account:a:ip:1", RatePolicy(limit=5, period_seconds=60))
    mailbox = Check("auth_account", "account:a", RatePolicy(limit=2, period_seconds=3600), disclosed=False)
    for left in (4, 3):
        allowed = limiter.hit([pair, mailbox])
        assert allowed.allowed and allowed.check == pair and allowed.remaining == left
    denied = limiter.hit([pair, mailbox])
    assert not denied.allowed and denied.check == mailbox
    # alone, an undisclosed check is still the one described
    assert limiter.hit([Check("auth_account", "account:b", mailbox.policy, disclosed=False)]).allowed


@pytest.mark.timeout(60)
async def test_redis_outage_keeps_serving_and_limits_auth_per_process(
    make_settings, migrated_database, tmp_path, start_app
):
    redis = RedisProcess(tmp_path)
    redis.start()
    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis.url, "retry_after_seconds": 0.2},
        rate_limits={"general": {"limit": 3, "period_seconds": 60}},
    )
    try:
        async with start_app(settings) as live:
            user = await sign_up(live.client)
            signed = await live.client.post(
                "/api/v1/auth/sign-in", json={"email": user["email"], "password": PASSWORD, "token": True}
            )
            bearer = {"Authorization": f"Bearer {signed.json()['data']['access_token']}"}
            redis.stop()
            await asyncio.sleep(0.3)

            # general requests are let through (more than the 3/min general limit)
            for _ in range(5):
                assert (await live.client.get("/api/v1/me", headers=bearer)).status_code == 200
            # sign-in is still limited, by this process alone
            statuses = [(await sign_in(live.client)).status_code for _ in range(6)]
            assert statuses == [401] * 5 + [429]
            # and so are the token routes, per IP
            tokens = [
                (
                    await live.client.post(
                        "/api/v1/auth/verify-email", json={"token": f"guess{n:04d}".ljust(43, "x")}
                    )
                ).status_code
                for n in range(21)
            ]
            assert tokens == [422] * 20 + [429]
            health = await live.bare.get("/api/health")
            body = assert_problem(health, 503, "SERVICE_UNAVAILABLE")
            assert body["checks"]["redis"] == "down"
            assert body["rate_limits"] == "fallback"

            redis.start()  # same port, empty

            async def healthy() -> bool:
                return (await live.bare.get("/api/health")).status_code == 200

            await eventually(healthy, timeout=5)
            # shared limits resume without a restart: general is 3/min again
            statuses = [(await live.client.get("/api/v1/me", headers=bearer)).status_code for _ in range(5)]
            assert 429 in statuses
    finally:
        redis.stop()


async def test_a_limit_of_a_billion_a_minute_counts_in_redis_without_failing_it(redis_url):
    """Its interval (60 µs) is below a double's resolution at now in milliseconds, so the
    new TAT equals now: an expiry of 0 ms made Redis refuse the SET, and the gateway then
    took Redis for down (every Redis user fell back) for `retry_after_seconds`."""
    from app.core.metrics import Metrics
    from app.core.redis_gateway import RedisGateway
    from app.core.settings import MetricsSettings, RedisSettings
    from app.ratelimit.limiter import RateLimiter

    gateway = RedisGateway(RedisSettings(url=redis_url), metrics=Metrics(MetricsSettings()))
    limiter = RateLimiter(redis=gateway)
    check = Check("general", "user:huge", RatePolicy(limit=1_000_000_000, period_seconds=60))
    for _ in range(20):
        decision = await limiter.hit([check])
        assert decision is not None and decision.allowed
    assert not gateway.is_down
    await gateway.close()
