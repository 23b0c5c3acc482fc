"""Two apps in one process: what lives as long as an app hangs off that app, so stopping
one leaves the other hashing passwords and counting requests."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, sign_up
from tests.system.test_metrics import scrape, value

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


async def test_stopping_one_app_leaves_the_other_hashing_and_counting(settings, start_app):
    me = {"method": "GET", "route": "/api/v1/me", "status": "401"}
    async with start_app(settings) as survivor:
        async with start_app(settings) as stopped:
            await sign_up(stopped.client)
        assert survivor.state.passwords is not stopped.state.passwords

        person = await sign_up(survivor.client)  # hashes
        signed_in = await survivor.client.post(
            "/api/v1/auth/sign-in", json={"email": person["email"], "password": PASSWORD}
        )  # verifies
        assert signed_in.status_code == 200, signed_in.text
        before = await scrape(survivor.bare)
        assert (await survivor.client.get("/api/v1/me")).status_code == 401
        after = await scrape(survivor.bare)
        assert (
            value(after, "tandem_http_requests_total", **me)
            - value(before, "tandem_http_requests_total", **me)
            == 1
        )
