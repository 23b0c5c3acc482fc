"""Rate limits (SPEC §1): GCRA, shared through Redis, per process when Redis is down."""

from __future__ import annotations

import asyncio

import pytest

from app.core.settings import RatePolicy
from app.ratelimit.gcra import Check, MemoryGcra
from tests.conftest import _app_numbers
from tests.factories import PASSWORD, sign_up
from tests.live_server import start_server
from tests.problems import assert_problem
from tests.redis_process import RedisProcess


async def sign_in(client, email: str = "someone@example.com", **headers: str):
    return await client.post(
        "/api/v1/auth/sign-in", json={"email": email, "password": "wrong-password"}, headers=headers
    )


async def test_sixth_sign_in_in_a_minute_from_one_ip_is_429_with_retry_after(server):
    for attempt in range(5):
        response = await sign_in(server.client, email=f"user{attempt}@example.com")
        assert response.status_code == 401
        assert response.headers["ratelimit-policy"] == '"auth";q=5;w=60'
        assert response.headers["ratelimit"].startswith(f'"auth";r={4 - attempt};')
    limited = await sign_in(server.client, email="another@example.com")
    assert_problem(limited, 429, "RATE_LIMITED")
    assert 1 <= int(limited.headers["retry-after"]) <= 12


async def test_concurrent_requests_draw_exactly_the_budget(server):
    # requests that arrive together share one Redis round trip; each must still count
    answers = await asyncio.gather(*(
        sign_in(server.client, email=f"together{attempt}@example.com") for attempt in range(12)
    ))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [401] * 5 + [429] * 7
    remaining = sorted(int(a.headers["ratelimit"].split("r=")[1].split(";")[0]) for a in answers
                       if a.status_code == 401)
    assert remaining == [0, 1, 2, 3, 4]


async def test_spoofed_forwarded_for_from_untrusted_peer_does_not_change_the_ip(server):
    for attempt in range(5):
        await sign_in(server.client, **{"X-Forwarded-For": f"203.0.113.{attempt}"})
    limited = await sign_in(server.client, **{"X-Forwarded-For": "198.51.100.77"})
    assert_problem(limited, 429, "RATE_LIMITED")


async def test_forwarded_for_from_trusted_proxy_names_the_client(make_settings, migrated_database, redis_url):
    settings = make_settings(
        database={"url": migrated_database}, redis={"url": redis_url},
        server={"trusted_proxies": ["127.0.0.1/32"]},
    )
    async with start_server(settings, name=f"tandem_test_{next(_app_numbers)}") as live:
        for attempt in range(5):
            await sign_in(live.client, email=f"u{attempt}@example.com", **{"X-Forwarded-For": "203.0.113.1"})
        assert (await sign_in(live.client, email="x@example.com", **{"X-Forwarded-For": "203.0.113.1"})).status_code == 429
        other_client = await sign_in(live.client, email="y@example.com", **{"X-Forwarded-For": "203.0.113.2"})
        assert other_client.status_code == 401


async def test_one_account_is_limited_across_many_ips(make_settings, migrated_database, redis_url):
    settings = make_settings(
        database={"url": migrated_database}, redis={"url": redis_url},
        server={"trusted_proxies": ["127.0.0.1/32"]},
    )
    async with start_server(settings, name=f"tandem_test_{next(_app_numbers)}") as live:
        # one address in several spellings: case, spaces, composed or decomposed é
        spellings = ["ren\u00e9@example.com", " Ren\u00e9@Example.com", "rene\u0301@example.com",
                     "RENE\u0301@EXAMPLE.COM", "ren\u00e9@example.com "]
        for attempt, email in enumerate(spellings):
            await sign_in(live.client, email=email, **{"X-Forwarded-For": f"203.0.113.{attempt}"})
        limited = await sign_in(live.client, email="Rene\u0301@example.com", **{"X-Forwarded-For": "203.0.113.99"})
        assert_problem(limited, 429, "RATE_LIMITED")


async def test_limits_are_shared_between_processes(server):
    async with start_server(server.state.settings, name=f"tandem_test_{next(_app_numbers)}") as other:
        for attempt in range(3):
            await sign_in(server.client, email=f"a{attempt}@example.com")
        for attempt in range(2):
            await sign_in(other.client, email=f"b{attempt}@example.com")
        assert_problem(await sign_in(other.client, email="c@example.com"), 429, "RATE_LIMITED")


def test_gcra_allows_burst_then_spreads_evenly():
    now = [1000.0]
    limiter = MemoryGcra(clock=lambda: now[0])
    check = [Check("k", RatePolicy(limit=5, period_seconds=60))]
    assert all(limiter.hit(check).allowed for _ in range(5))
    denied = limiter.hit(check)
    assert not denied.allowed and denied.retry_after_seconds == pytest.approx(12)
    now[0] += 11.9
    assert not limiter.hit(check).allowed
    now[0] += 0.2
    assert limiter.hit(check).allowed
    assert not limiter.hit(check).allowed


@pytest.mark.timeout(60)
async def test_redis_outage_keeps_serving_and_limits_auth_per_process(
    make_settings, migrated_database, tmp_path
):
    redis = RedisProcess(tmp_path)
    redis.start()
    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis.url, "retry_after_seconds": 0.2},
        rate_limits={"general": {"limit": 3, "period_seconds": 60}},
    )
    try:
        async with start_server(settings, name=f"tandem_test_{next(_app_numbers)}") as live:
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
            statuses = [(await sign_in(live.client, email=f"o{n}@example.com")).status_code for n in range(6)]
            assert statuses.count(429) >= 1
            health = await live.bare.get("/api/health")
            body = assert_problem(health, 503, "SERVICE_UNAVAILABLE")
            assert body["checks"]["redis"] == "down"
            assert body["rate_limits"] == "fallback"

            redis.start()  # same port, empty
            await asyncio.sleep(0.3)
            assert (await live.bare.get("/api/health")).status_code == 200
            # shared limits resume without a restart: general is 3/min again
            statuses = [
                (await live.client.get("/api/v1/me", headers=bearer)).status_code for _ in range(5)
            ]
            assert 429 in statuses
    finally:
        redis.stop()
