"""Settings for event tests that change the [events] section."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.core.settings import Settings
from tests.conftest import ROOMY_AUTH_LIMIT, SettingsFactory


@pytest.fixture
def events_settings(
    make_settings: SettingsFactory, migrated_database: str, redis_url: str
) -> Callable[..., Settings]:
    """`events_settings(heartbeat_seconds=0.2)`: the `settings` fixture's, with these events settings."""

    def build(**events: Any) -> Settings:
        return make_settings(
            database={"url": migrated_database},
            redis={"url": redis_url},
            rate_limits=ROOMY_AUTH_LIMIT,
            events=events,
        )

    return build
