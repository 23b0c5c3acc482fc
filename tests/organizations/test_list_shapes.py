"""The hot lists (members, audit events) are written from rows without a model per row
(app.core.compiled_query): each item must still be exactly its documented schema."""

from __future__ import annotations

import pytest

from app.core.audit import AuditEventPublic
from app.organizations.schemas import MemberPublic
from tests.factories import organization_with, signed_in_user

pytestmark = pytest.mark.many_sign_ins


def assert_exactly(model, item):  # type: ignore[no-untyped-def]
    assert set(item) == set(model.model_fields), item
    parsed = model.model_validate(item)
    # what the schema would have written, field for field (times in UTC with Z)
    assert item == parsed.model_dump(mode="json"), item


async def test_member_items_are_exactly_member_public(server):
    admin = await signed_in_user(server)
    coach = await signed_in_user(server)
    organization = await organization_with((admin.id, "OrganizationAdmin"), (coach.id, "Coach"))
    response = await admin.client.get(f"/api/v1/organizations/{organization.id}/members")
    items = response.json()["data"]
    assert len(items) == 2
    for item in items:
        assert_exactly(MemberPublic, item)
        assert item["joined"].endswith("Z")
    assert {item["email"] for item in items} == {admin.email, coach.email}


async def test_audit_items_are_exactly_audit_event_public(server):
    admin = await signed_in_user(server)
    coach = await signed_in_user(server)
    organization = await organization_with((admin.id, "OrganizationAdmin"), (coach.id, "Coach"))
    changed = await admin.client.patch(
        f"/api/v1/organizations/{organization.id}/members/{coach.id}", json={"role": "Teacher"}
    )
    assert changed.status_code == 200, changed.text
    response = await admin.client.get(f"/api/v1/organizations/{organization.id}/audit-events")
    (item,) = response.json()["data"]
    assert_exactly(AuditEventPublic, item)
    assert item["action"] == "member.role_changed"
    assert item["changed_fields"] == ["role_in_organization"]
    assert item["created_at"].endswith("Z")
