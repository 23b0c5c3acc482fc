"""meta.total_count: exact up to pagination.exact_count_limit, cached above it."""

from __future__ import annotations

import pytest

from tests.factories import organization_with, signed_in_user


@pytest.fixture
async def small_limit_server(make_settings, migrated_database, redis_url, start_app):
    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        pagination={"exact_count_limit": 2, "count_cache_seconds": 600},
    )
    async with start_app(settings) as live:
        yield live


async def total(person) -> int:
    response = await person.client.get("/api/v1/me/organizations", params={"limit": 1})
    assert response.status_code == 200, response.text
    return response.json()["meta"]["total_count"]


async def test_a_short_list_is_counted_exactly_on_every_request(small_limit_server):
    person = await signed_in_user(small_limit_server)
    await organization_with((person.id, "Coach"))
    assert await total(person) == 1
    await organization_with((person.id, "Coach"))
    assert await total(person) == 2


async def test_a_long_lists_total_is_counted_once_then_served_from_the_cache(small_limit_server):
    person = await signed_in_user(small_limit_server)
    for _ in range(3):
        await organization_with((person.id, "Coach"))
    assert await total(person) == 3
    await organization_with((person.id, "Coach"))
    assert await total(person) == 3  # the cached figure, for count_cache_seconds


async def test_a_cached_total_is_never_served_for_another_list(small_limit_server):
    person, other = await signed_in_user(small_limit_server), await signed_in_user(small_limit_server)
    for _ in range(3):
        await organization_with((person.id, "Coach"))
    for _ in range(4):
        await organization_with((other.id, "Coach"))
    assert await total(person) == 3
    assert await total(other) == 4
