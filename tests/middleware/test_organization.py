"""Organization context: members see their organization; everyone else gets 404."""

from __future__ import annotations

import uuid

from models import User
from tests.factories import organization_with, set_current_organization, signed_in_user
from tests.problems import assert_problem


async def test_member_acts_in_organization_named_by_header(server):
    person = await signed_in_user(server)
    organization = await organization_with((person.id, "Coach"))
    response = await person.client.get(
        "/api/v1/organizations/current", headers={"X-Organization-Id": str(organization.id)}
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["organization"]["id"] == str(organization.id)
    assert data["role_in_organization"] == "Coach"


async def test_current_organization_is_used_without_header(server):
    organization = await organization_with()
    person = await signed_in_user(server)
    await organization_with()
    from models import OrganizationUser

    await OrganizationUser.create(
        organization=organization, user_id=person.id, role_in_organization="Teacher"
    )
    await set_current_organization(person.id, organization)
    server.state.sessions.forget_locally()
    await server.state.redis.client.flushdb()
    response = await person.client.get("/api/v1/organizations/current")
    assert response.status_code == 200
    assert response.json()["data"]["organization"]["id"] == str(organization.id)


async def test_foreign_organization_id_is_404(server):
    person = await signed_in_user(server)
    stranger = await signed_in_user(server)
    await organization_with((person.id, "Manager"))
    foreign = await organization_with((stranger.id, "OrganizationAdmin"))
    response = await person.client.get(
        "/api/v1/organizations/current", headers={"X-Organization-Id": str(foreign.id)}
    )
    body = assert_problem(response, 404, "NOT_FOUND")
    missing = await person.client.get(
        "/api/v1/organizations/current", headers={"X-Organization-Id": str(uuid.uuid4())}
    )
    assert assert_problem(missing, 404, "NOT_FOUND")["detail"] == body["detail"]


async def test_no_organization_selected_is_404(server):
    person = await signed_in_user(server)
    assert_problem(await person.client.get("/api/v1/organizations/current"), 404, "NOT_FOUND")


async def test_malformed_organization_header_is_400(server):
    person = await signed_in_user(server)
    response = await person.client.get("/api/v1/organizations/current", headers={"X-Organization-Id": "42"})
    assert_problem(response, 400, "VALIDATION_ERROR")


async def test_global_role_may_act_in_any_organization(server):
    admin = await signed_in_user(server)
    await User.filter(id=admin.id).update(global_role="PlatformAdmin")
    server.state.sessions.forget_locally()
    await server.state.redis.client.flushdb()
    organization = await organization_with()
    response = await admin.client.get(
        "/api/v1/organizations/current", headers={"X-Organization-Id": str(organization.id)}
    )
    assert response.status_code == 200
    assert response.json()["data"]["role_in_organization"] is None


async def test_organization_route_without_session_is_401(server):
    organization = await organization_with()
    response = await server.client.get(
        "/api/v1/organizations/current", headers={"X-Organization-Id": str(organization.id)}
    )
    assert_problem(response, 401, "UNAUTHENTICATED")
