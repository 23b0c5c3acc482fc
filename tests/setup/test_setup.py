"""SPEC §4: set-up status and bootstrap, exactly one Owner however many calls race."""

from __future__ import annotations

import asyncio

import pytest

from models import Installation, Organization, OrganizationUser, User
from tests.factories import PASSWORD
from tests.problems import assert_problem

SETUP_TOKEN = "setup-token-for-tests-0123456789abcdef"


def owner_body(number: int = 1, **fields):  # type: ignore[no-untyped-def]
    return {
        "setup_token": SETUP_TOKEN,
        "name": f"Owner {number}",
        "nickname": f"owner-{number}",
        "email": f"owner{number}@example.com",
        "password": PASSWORD,
        **fields,
    }


@pytest.fixture
async def setup_server(make_settings, migrated_database, redis_url, start_app):  # type: ignore[no-untyped-def]
    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        security={"setup_token": SETUP_TOKEN},
        rate_limits={"admin": {"limit": 1000, "period_seconds": 60}},
    )
    async with start_app(settings) as live:
        yield live


async def test_bootstrap_creates_the_owner_and_first_organization_once(setup_server):
    client = setup_server.client
    assert (await client.get("/api/v1/setup/status")).json() == {"data": {"needs_setup": True}}

    response = await client.post(
        "/api/v1/setup/bootstrap",
        json=owner_body(organization={"name": "Riverside School", "slug": "riverside"}),
    )

    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["user"]["global_role"] == "Owner"
    assert data["organization"]["slug"] == "riverside"
    assert data["user"]["current_organization_id"] == data["organization"]["id"]
    assert "password" not in response.text
    membership = await OrganizationUser.get(user_id=data["user"]["id"])
    assert membership.role_in_organization == "OrganizationAdmin"
    assert (await client.get("/api/v1/setup/status")).json() == {"data": {"needs_setup": False}}

    again = await client.post("/api/v1/setup/bootstrap", json=owner_body(2))
    assert_problem(again, 409, "CONFLICT")
    assert await User.filter(global_role="Owner").count() == 1

    signed_in = await client.post(
        "/api/v1/auth/sign-in", json={"email": "owner1@example.com", "password": PASSWORD}
    )
    assert signed_in.status_code == 200


async def test_ten_racing_bootstraps_make_exactly_one_owner(setup_server):
    responses = await asyncio.gather(
        *(setup_server.client.post("/api/v1/setup/bootstrap", json=owner_body(n)) for n in range(10))
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 9, [r.text for r in responses]
    assert await User.all().count() == 1
    assert await User.filter(global_role="Owner").count() == 1
    assert await Installation.all().count() == 1


async def test_wrong_setup_token_is_403_and_sets_nothing_up(setup_server):
    response = await setup_server.client.post(
        "/api/v1/setup/bootstrap", json=owner_body(setup_token="not-the-token")
    )

    assert_problem(response, 403, "FORBIDDEN")
    assert await User.all().count() == 0
    assert (await setup_server.client.get("/api/v1/setup/status")).json()["data"]["needs_setup"]


async def test_bootstrap_is_403_when_no_setup_token_is_configured(server):
    response = await server.client.post("/api/v1/setup/bootstrap", json=owner_body())

    assert_problem(response, 403, "FORBIDDEN")
    assert await User.all().count() == 0


async def test_bootstrap_after_someone_signed_up_is_409(setup_server):
    await setup_server.client.post(
        "/api/v1/auth/sign-up",
        json={"name": "Early", "nickname": "early", "email": "early@example.com", "password": PASSWORD},
    )

    response = await setup_server.client.post("/api/v1/setup/bootstrap", json=owner_body())

    assert_problem(response, 409, "CONFLICT")
    assert await User.filter(global_role="Owner").count() == 0


@pytest.mark.parametrize(
    "change",
    [
        {"password": "short"},
        {"password": "password123"},  # on the list of common passwords
        {"email": "not-an-email"},
        {"nickname": "No Spaces"},
        {"organization": {"name": "X", "slug": "Not A Slug"}},
        {"global_role": "Owner"},  # unknown field
    ],
)
async def test_bootstrap_with_bad_fields_is_400_and_creates_nothing(setup_server, change):
    response = await setup_server.client.post("/api/v1/setup/bootstrap", json=owner_body(**change))

    body = assert_problem(response, 400, "VALIDATION_ERROR")
    assert body["errors"]
    assert await User.all().count() == 0
    assert await Organization.all().count() == 0
