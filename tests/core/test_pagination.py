"""Pagination (SPEC §1) over GET /me/organizations: limit, cursor, offset, totals."""

from __future__ import annotations

from tests.factories import organization_with, signed_in_user
from tests.problems import assert_problem


async def test_cursor_pages_walk_every_row_once_newest_first(server):
    person = await signed_in_user(server)
    created = [await organization_with((person.id, "Coach")) for _ in range(5)]
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = await person.client.get("/api/v1/me/organizations", params=params)
        assert response.status_code == 200
        body = response.json()
        assert body["meta"]["total_count"] == 5 and body["meta"]["limit"] == 2
        seen += [item["organization"]["id"] for item in body["data"]]
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            break
    assert seen == [str(org.id) for org in reversed(created)]


async def test_offset_skips_rows(server):
    person = await signed_in_user(server)
    created = [await organization_with((person.id, "Teacher")) for _ in range(3)]
    response = await person.client.get("/api/v1/me/organizations", params={"offset": 1, "limit": 1})
    assert [item["organization"]["id"] for item in response.json()["data"]] == [str(created[1].id)]


async def test_only_my_memberships_are_listed(server):
    person = await signed_in_user(server)
    stranger = await signed_in_user(server)
    await organization_with((stranger.id, "Coach"))
    response = await person.client.get("/api/v1/me/organizations")
    assert response.json() == {"data": [], "meta": {"total_count": 0, "limit": 50, "next_cursor": None}}


async def test_tampered_cursor_is_400(server):
    person = await signed_in_user(server)
    for _ in range(3):
        await organization_with((person.id, "Coach"))
    first = await person.client.get("/api/v1/me/organizations", params={"limit": 1})
    cursor = first.json()["meta"]["next_cursor"]
    tampered = cursor[:-3] + ("abc" if not cursor.endswith("abc") else "xyz")
    response = await person.client.get("/api/v1/me/organizations", params={"cursor": tampered})
    assert_problem(response, 400, "INVALID_CURSOR")


async def test_another_users_cursor_is_400(server):
    person = await signed_in_user(server)
    other = await signed_in_user(server)
    for _ in range(2):
        await organization_with((person.id, "Coach"))
    cursor = (await person.client.get("/api/v1/me/organizations", params={"limit": 1})).json()["meta"][
        "next_cursor"
    ]
    assert_problem(
        await other.client.get("/api/v1/me/organizations", params={"cursor": cursor}), 400, "INVALID_CURSOR"
    )


async def test_limit_out_of_range_is_400(server):
    person = await signed_in_user(server)
    for value in (0, 201, "ten"):
        response = await person.client.get("/api/v1/me/organizations", params={"limit": value})
        assert_problem(response, 400, "VALIDATION_ERROR")
