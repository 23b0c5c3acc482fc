"""Mass assignment: fields a body may not set are refused (400) and change nothing."""

from __future__ import annotations

import uuid

import pytest

from models import Organization, OrganizationUser, User
from tests.factories import organization_with, signed_in_user, verify_email
from tests.problems import assert_problem

pytestmark = pytest.mark.many_sign_ins

SMUGGLED = {
    "organization_id": str(uuid.uuid4()),
    "id": str(uuid.uuid4()),
    "role": "OrganizationAdmin",
    "global_role": "Owner",
    "billing_status": "active",
    "plan": "enterprise",
    "deleted_at": None,
}


async def snapshot(organization_id) -> tuple:
    organization = await Organization.get(id=organization_id)
    return (organization.name, organization.slug, organization.plan, organization.billing_status)


@pytest.mark.parametrize("field", list(SMUGGLED))
async def test_setting_protected_organization_fields_by_patch_is_refused(server, field):
    admin = await signed_in_user(server)
    organization = await organization_with((admin.id, "OrganizationAdmin"))
    before = await snapshot(organization.id)

    response = await admin.client.patch(
        f"/api/v1/organizations/{organization.id}", json={"name": "Renamed", field: SMUGGLED[field]}
    )

    body = assert_problem(response, 400, "VALIDATION_ERROR")
    assert body["errors"][0]["field"] == field
    assert await snapshot(organization.id) == before
    assert (await User.get(id=admin.id)).global_role is None


@pytest.mark.parametrize("field", list(SMUGGLED))
async def test_setting_protected_fields_when_creating_an_organization_is_refused(server, field):
    person = await signed_in_user(server)
    await verify_email(person)

    response = await person.client.post(
        "/api/v1/organizations", json={"name": "Acme", field: SMUGGLED[field]}
    )

    assert_problem(response, 400, "VALIDATION_ERROR")
    assert not await Organization.exists()
    assert (await User.get(id=person.id)).global_role is None


@pytest.mark.parametrize("field", ["organization_id", "global_role", "status", "user_id", "plan"])
async def test_setting_other_fields_when_changing_a_members_role_is_refused(server, field):
    admin = await signed_in_user(server)
    teacher = await signed_in_user(server)
    organization = await organization_with((admin.id, "OrganizationAdmin"), (teacher.id, "Teacher"))
    other = await organization_with()
    value = {"organization_id": str(other.id), "user_id": admin.id}.get(field, "Owner")

    response = await admin.client.patch(
        f"/api/v1/organizations/{organization.id}/members/{teacher.id}", json={"role": "Coach", field: value}
    )

    assert_problem(response, 400, "VALIDATION_ERROR")
    membership = await OrganizationUser.get(user_id=teacher.id)
    assert (membership.organization_id, membership.role_in_organization, membership.status) == (  # type: ignore[attr-defined]
        organization.id,
        "Teacher",
        "active",
    )
    assert (await User.get(id=teacher.id)).global_role is None
