"""GET /api/metrics: what moves after real requests, and who may read it (docs/observability.md)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families

from models import OutboxMessage
from tests.conftest import CLIENT_KEY
from tests.live_server import LiveServer
from tests.problems import assert_problem
from tests.redis_process import RedisProcess

SCRAPE_TOKEN = "scrape-" + "s" * 40


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape(client: httpx.AsyncClient, **headers: str) -> dict:
    response = await client.get("/api/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


def value(scraped: dict, name: str, **labels: str) -> float:
    return scraped.get((name, frozenset(labels.items())), 0.0)


async def test_request_count_and_latency_move_by_route_template_method_and_status(server):
    before = await scrape(server.bare)
    for _ in range(3):
        assert (await server.client.get("/api/v1/me")).status_code == 401
    # two different ids, one route: the label is the template, never the raw path
    first, second = uuid.uuid4(), uuid.uuid4()
    for session_id in (first, second):
        await server.client.delete(f"/api/v1/auth/sessions/{session_id}")
    unknown = f"/api/v1/nothing-here-{uuid.uuid4().hex}"
    assert (await server.client.get(unknown)).status_code == 404
    after_response = await server.bare.get("/api/metrics")
    after = samples(after_response.text)

    me = {"method": "GET", "route": "/api/v1/me", "status": "401"}
    assert (
        value(after, "tandem_http_requests_total", **me) - value(before, "tandem_http_requests_total", **me)
        == 3
    )
    histogram = "tandem_http_request_duration_seconds_count"
    assert value(after, histogram, **me) - value(before, histogram, **me) == 3
    assert value(after, "tandem_http_request_duration_seconds_bucket", **me, le="+Inf") >= 3
    templates = {dict(labels)["route"] for name, labels in after if name == "tandem_http_requests_total"}
    assert "/api/v1/auth/sessions/<session_id:str>" in templates
    assert "unmatched" in templates
    for raw in (str(first), str(second), unknown):
        assert raw not in after_response.text


async def test_rate_limit_denials_are_counted_by_policy(
    make_settings, migrated_database, redis_url, start_app
):
    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        rate_limits={"general": {"limit": 2, "period_seconds": 60}},
    )
    async with start_app(settings) as live:
        before = await scrape(live.bare)
        statuses = [(await live.client.get("/api/v1/me")).status_code for _ in range(4)]
        after = await scrape(live.bare)
    assert statuses.count(429) == 2
    name = "tandem_rate_limit_denials_total"
    assert value(after, name, policy="general") - value(before, name, policy="general") == 2


async def test_redis_fallback_gauge_is_one_while_redis_does_not_answer(
    make_settings, migrated_database, tmp_path, start_app
):
    redis_server = RedisProcess(tmp_path)
    redis_server.start()
    try:
        settings = make_settings(
            database={"url": migrated_database}, redis={"url": redis_server.url, "retry_after_seconds": 0.2}
        )
        async with start_app(settings) as live:
            await live.client.get("/api/v1/me")
            assert value(await scrape(live.bare), "tandem_redis_fallback") == 0
            redis_server.freeze()
            try:
                await live.client.get("/api/v1/me")  # the limiter finds Redis gone
                during = value(await scrape(live.bare), "tandem_redis_fallback")
            finally:
                redis_server.thaw()
            await _wait_until_recovered(live)
            after = value(await scrape(live.bare), "tandem_redis_fallback")
    finally:
        redis_server.stop()
    assert during == 1
    assert after == 0


async def _wait_until_recovered(live: LiveServer) -> None:
    for _ in range(50):
        await asyncio.sleep(0.1)
        await live.client.get("/api/v1/me")  # after the back-off window, Redis is tried again
        if not live.state.redis._down_until:
            return
    raise AssertionError("the gateway never noticed Redis was back")


async def test_outbox_depth_and_oldest_age_are_read_at_scrape_time(
    make_settings, migrated_database, redis_url, start_app
):
    # a relay that does not pass again during the test, so the rows stay where they are
    settings = make_settings(
        database={"url": migrated_database}, redis={"url": redis_url}, outbox={"relay_interval_seconds": 3600}
    )
    async with start_app(settings) as live:
        empty = await scrape(live.bare)
        for _ in range(2):
            await OutboxMessage.create(actor="send_email", payload={})
        await OutboxMessage.all().update(created_at=datetime.now(UTC) - timedelta(seconds=90))
        waiting = await scrape(live.bare)
    assert value(empty, "tandem_outbox_messages") == 0
    assert value(empty, "tandem_outbox_oldest_age_seconds") == 0
    assert value(waiting, "tandem_outbox_messages") == 2
    assert 90 <= value(waiting, "tandem_outbox_oldest_age_seconds") < 120


def same_problem(one: httpx.Response, other: httpx.Response) -> bool:
    """The same problem document, but for what differs on every request."""

    def strip(body: dict) -> dict:
        return {k: v for k, v in body.items() if k not in {"request_id", "instance"}}

    return strip(one.json()) == strip(other.json())


def _outside_loopback(make_settings, migrated_database, redis_url, **metrics):  # type: ignore[no-untyped-def]
    """Settings under which the test client (127.0.0.1) is not in an allowed network."""
    return make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        metrics={"allowed_networks": ["10.0.0.0/8"], **metrics},
    )


async def test_metrics_refuse_a_caller_outside_the_networks_like_an_unknown_path(
    make_settings, migrated_database, redis_url, start_app
):
    settings = _outside_loopback(make_settings, migrated_database, redis_url)
    async with start_app(settings) as live:
        without_key = await live.bare.get("/api/metrics")
        unknown_without_key = await live.bare.get("/api/no-such-path")
        with_key = await live.client.get("/api/metrics")
        unknown_with_key = await live.client.get("/api/no-such-path")
    assert_problem(without_key, 403, "FORBIDDEN")
    assert_problem(unknown_without_key, 403, "FORBIDDEN")
    assert same_problem(without_key, unknown_without_key)
    assert_problem(with_key, 404, "NOT_FOUND")
    assert_problem(unknown_with_key, 404, "NOT_FOUND")
    assert same_problem(with_key, unknown_with_key)
    assert "tandem_" not in without_key.text + with_key.text


async def test_a_forged_x_forwarded_for_does_not_open_the_metrics(
    make_settings, migrated_database, redis_url, start_app
):
    # no proxy is trusted, so the header is the client's word, not its address
    settings = _outside_loopback(make_settings, migrated_database, redis_url)
    async with start_app(settings) as live:
        response = await live.client.get("/api/metrics", headers={"X-Forwarded-For": "10.1.2.3"})
    assert_problem(response, 404, "NOT_FOUND")


async def test_a_wrong_metrics_token_is_refused_and_the_right_one_works_from_anywhere(
    make_settings, migrated_database, redis_url, start_app
):
    settings = _outside_loopback(make_settings, migrated_database, redis_url, token=SCRAPE_TOKEN)
    async with start_app(settings) as live:
        wrong = await live.bare.get("/api/metrics", headers={"Authorization": "Bearer " + "x" * 47})
        right = await live.bare.get("/api/metrics", headers={"Authorization": f"Bearer {SCRAPE_TOKEN}"})
    assert_problem(wrong, 403, "FORBIDDEN")
    assert right.status_code == 200
    assert "tandem_http_requests_total" in right.text


async def test_metrics_turned_off_are_not_served_even_to_an_allowed_caller(
    make_settings, migrated_database, redis_url, start_app
):
    settings = make_settings(
        database={"url": migrated_database}, redis={"url": redis_url}, metrics={"enabled": False}
    )
    async with start_app(settings) as live:
        response = await live.bare.get("/api/metrics", headers={"X-Client-Key": CLIENT_KEY})
    assert_problem(response, 404, "NOT_FOUND")


async def test_an_unlisted_reverse_proxy_on_the_same_host_does_not_open_the_metrics_to_the_internet(
    make_settings, migrated_database, redis_url, start_app
):
    # every request through a same-host proxy comes from loopback, an allowed network; the
    # forwarding header shows it is someone else's request, so only the token counts
    settings = make_settings(
        database={"url": migrated_database}, redis={"url": redis_url}, metrics={"token": SCRAPE_TOKEN}
    )
    async with start_app(settings) as live:
        direct = await live.bare.get("/api/metrics")
        proxied = {
            name: await live.client.get("/api/metrics", headers={name: value})
            for name, value in (
                ("X-Forwarded-For", "203.0.113.7"),
                ("Forwarded", "for=203.0.113.7"),
                ("X-Real-IP", "203.0.113.7"),
            )
        }
        with_token = await live.bare.get(
            "/api/metrics",
            headers={"X-Forwarded-For": "203.0.113.7", "Authorization": f"Bearer {SCRAPE_TOKEN}"},
        )
    assert direct.status_code == 200
    for name, response in proxied.items():
        assert response.status_code == 404, name
    assert with_token.status_code == 200


async def test_a_trusted_proxy_forwarding_an_allowed_address_may_scrape(
    make_settings, migrated_database, redis_url, start_app
):
    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        server={"trusted_proxies": ["127.0.0.1"], "access_log": False},
        metrics={"allowed_networks": ["10.0.0.0/8"]},
    )
    async with start_app(settings) as live:
        inside = await live.bare.get("/api/metrics", headers={"X-Forwarded-For": "10.1.2.3"})
        outside = await live.client.get("/api/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
    assert inside.status_code == 200
    assert_problem(outside, 404, "NOT_FOUND")
