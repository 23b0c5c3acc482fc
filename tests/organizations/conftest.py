"""Tests here sign in many people and send many requests from each (the matrices walk
every route): every rate limit is lifted. The limiter has tests of its own."""

from __future__ import annotations

import pytest

from app.core.settings import RateLimitSettings, Settings

ROOMY = {"limit": 10_000, "period_seconds": 60}


@pytest.fixture
def settings(make_settings, migrated_database: str, redis_url: str) -> Settings:
    limits = dict.fromkeys(RateLimitSettings.model_fields, ROOMY)
    return make_settings(database={"url": migrated_database}, redis={"url": redis_url}, rate_limits=limits)
