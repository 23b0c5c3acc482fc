"""A deep `offset` on the compiled lists (members, audit log) is skipped by the database:
a client asking for offset 1,000,000 must not make the API read every skipped row."""

from __future__ import annotations

import pytest

from app.core.compiled_query import CompiledQuery
from models import OrganizationUser, User
from tests.factories import organization_with, signed_in_user

pytestmark = pytest.mark.many_sign_ins


async def test_a_deep_offset_on_the_members_list_does_not_read_every_skipped_row(server, monkeypatch):
    teacher = await signed_in_user(server)
    organization = await organization_with((teacher.id, "Teacher"))
    await User.bulk_create(
        [
            User(name=f"Deep {n}", nickname=f"deep-{n}", email=f"deep{n}@example.com", password_hash="!")
            for n in range(40)
        ]
    )
    await OrganizationUser.bulk_create(
        [
            OrganizationUser(organization=organization, user=user, role_in_organization="Teacher")
            for user in await User.filter(nickname__startswith="deep-")
        ]
    )
    original = CompiledQuery.fetch
    rows_read: list[int] = []

    async def counting(self, **values):  # type: ignore[no-untyped-def]
        rows = await original(self, **values)
        rows_read.append(len(rows))
        return rows

    monkeypatch.setattr(CompiledQuery, "fetch", counting)
    response = await teacher.client.get(
        f"/api/v1/organizations/{organization.id}/members", params={"offset": 30, "limit": 5}
    )

    assert response.status_code == 200, response.text
    assert len(response.json()["data"]) == 5
    assert response.json()["meta"]["next_cursor"] is not None
    # the page query read the page (and one more), not the 30 rows before it
    assert max(rows_read) <= 6, rows_read
