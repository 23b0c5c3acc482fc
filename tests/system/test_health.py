"""GET /api and GET /api/health (SPEC §4)."""

from __future__ import annotations

import time

from tests.problems import assert_problem


async def test_api_index_names_the_api_and_its_docs(server):
    response = await server.bare.get("/api")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Tandem API"
    assert body["docs"]["openapi"] == "/api/v1/openapi.json"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_health_is_ok_when_every_dependency_answers(server):
    response = await server.bare.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "broker": "ok"},
        "rate_limits": "shared",
    }


async def test_health_names_redis_down_within_a_second(make_settings, migrated_database, start_app):
    # a port nothing listens on: Redis configured but unreachable
    settings = make_settings(database={"url": migrated_database}, redis={"url": "redis://127.0.0.1:1/0"})
    async with start_app(settings) as live:
        started = time.monotonic()
        response = await live.bare.get("/api/health")
        elapsed = time.monotonic() - started
    body = assert_problem(response, 503, "SERVICE_UNAVAILABLE")
    assert body["checks"]["redis"] == "down"
    assert body["checks"]["database"] == "ok"
    assert "redis" in body["detail"] and "127.0.0.1" not in response.text
    assert elapsed < 1.0


async def test_health_without_redis_configured_reports_local_limits(
    make_settings, migrated_database, start_app
):
    settings = make_settings(database={"url": migrated_database})
    async with start_app(settings) as live:
        response = await live.bare.get("/api/health")
    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == "not_configured"
    assert response.json()["rate_limits"] == "local"


async def test_liveness_answers_without_touching_a_dependency(make_settings, migrated_database, start_app):
    # Redis configured but unreachable: readiness fails, liveness does not care
    settings = make_settings(database={"url": migrated_database}, redis={"url": "redis://127.0.0.1:1/0"})
    async with start_app(settings) as live:
        started = time.monotonic()
        alive = await live.bare.get("/api/health/live")
        elapsed = time.monotonic() - started
        ready = await live.bare.get("/api/health/ready")
    assert alive.status_code == 200 and alive.json() == {"status": "ok"}
    assert elapsed < 1.0
    body = assert_problem(ready, 503, "SERVICE_UNAVAILABLE")
    assert body["checks"]["redis"] == "down"


async def test_readiness_is_ok_when_every_dependency_answers(server):
    started = time.monotonic()
    response = await server.bare.get("/api/health/ready")
    assert time.monotonic() - started < 1.0
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "broker": "ok"}


async def test_readiness_names_a_hung_redis_within_a_second(
    make_settings, migrated_database, tmp_path, start_app
):
    from tests.redis_process import RedisProcess

    redis_server = RedisProcess(tmp_path)
    redis_server.start()
    try:
        settings = make_settings(database={"url": migrated_database}, redis={"url": redis_server.url})
        async with start_app(settings) as live:
            assert (await live.bare.get("/api/health/ready")).status_code == 200
            redis_server.freeze()  # a partition: connections stay open, nothing answers
            try:
                started = time.monotonic()
                ready = await live.bare.get("/api/health/ready")
                elapsed = time.monotonic() - started
                alive = await live.bare.get("/api/health/live")
            finally:
                redis_server.thaw()
    finally:
        redis_server.stop()
    assert_problem(ready, 503, "SERVICE_UNAVAILABLE")
    assert elapsed < 1.0
    assert alive.status_code == 200
