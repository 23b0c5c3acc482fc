"""SPEC §5 organizations: create, read, rename, soft delete and restore."""

from __future__ import annotations

import uuid

import pytest

from models import AuditEvent, Organization, OrganizationUser, User
from tests.factories import give_global_role, organization_with, signed_in_user, verify_email
from tests.problems import assert_problem

pytestmark = pytest.mark.many_sign_ins


async def verified_user(server):
    person = await signed_in_user(server)
    await verify_email(person)
    return person


async def test_creating_an_organization_makes_me_its_admin_and_my_current_organization(server):
    person = await verified_user(server)
    assert (await person.client.get("/api/v1/me")).status_code == 200  # snapshot cached

    response = await person.client.post("/api/v1/organizations", json={"name": "Lycée Victor Hugo"})

    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["slug"] == "lycee-victor-hugo"
    assert (data["plan"], data["billing_status"]) == ("free", "none")
    assert response.headers["location"] == f"/api/v1/organizations/{data['id']}"
    membership = await OrganizationUser.get(organization_id=data["id"], user_id=person.id)
    assert membership.role_in_organization == "OrganizationAdmin"
    me = (await person.client.get("/api/v1/me")).json()["data"]
    assert me["current_organization_id"] == data["id"]
    current = (await person.client.get("/api/v1/organizations/current")).json()["data"]
    assert current["role_in_organization"] == "OrganizationAdmin"
    read = await person.client.get(response.headers["location"])
    assert read.json()["data"] == data
    event = await AuditEvent.get(action="organization.created")
    assert (str(event.actor_id), str(event.organization_id)) == (person.id, data["id"])


async def test_a_generated_slug_gets_a_suffix_when_taken_and_a_given_taken_slug_is_409(server):
    person = await verified_user(server)
    first = await person.client.post("/api/v1/organizations", json={"name": "Acme"})
    second = await person.client.post("/api/v1/organizations", json={"name": "ACME!"})
    assert first.json()["data"]["slug"] == "acme"
    assert second.status_code == 201
    assert second.json()["data"]["slug"].startswith("acme-")

    taken = await person.client.post("/api/v1/organizations", json={"name": "Other", "slug": "acme"})
    assert_problem(taken, 409, "CONFLICT")
    assert await Organization.filter(name="Other").count() == 0


async def test_short_or_foreign_names_still_get_a_valid_slug(server):
    person = await verified_user(server)
    for name in ("A", "東京"):
        response = await person.client.post("/api/v1/organizations", json={"name": name})
        assert response.status_code == 201, response.text
        assert len(response.json()["data"]["slug"]) >= 3


@pytest.mark.parametrize("slug", ["ab", "Upper", "has space", "-edge", "x" * 65, "é-accent"])
async def test_an_invalid_slug_is_refused(server, slug):
    person = await verified_user(server)
    response = await person.client.post("/api/v1/organizations", json={"name": "Acme", "slug": slug})
    assert_problem(response, 400, "VALIDATION_ERROR")


async def test_creating_an_organization_needs_a_verified_email(server):
    person = await signed_in_user(server)
    response = await person.client.post("/api/v1/organizations", json={"name": "Acme"})
    assert "verify" in assert_problem(response, 422, "UNPROCESSABLE")["detail"].lower()
    assert not await Organization.exists()


async def test_without_self_service_only_platform_admins_create_organizations(
    make_settings, migrated_database, redis_url, start_app
):
    settings = make_settings(
        database={"url": migrated_database}, redis={"url": redis_url}, organizations={"self_service": False}
    )
    async with start_app(settings) as server:
        person = await verified_user(server)
        refused = await person.client.post("/api/v1/organizations", json={"name": "Acme"})
        assert_problem(refused, 403, "FORBIDDEN")
        admin = await verified_user(server)
        await give_global_role(server, admin, "PlatformAdmin")
        created = await admin.client.post("/api/v1/organizations", json={"name": "Acme"})
        assert created.status_code == 201, created.text
        assert await Organization.filter(name="Acme").count() == 1


async def test_an_admin_renames_the_organization_and_the_change_is_audited(server):
    admin = await signed_in_user(server)
    organization = await organization_with((admin.id, "OrganizationAdmin"))

    response = await admin.client.patch(
        f"/api/v1/organizations/{organization.id}", json={"name": "Renamed", "slug": "renamed"}
    )

    assert response.status_code == 200, response.text
    assert (response.json()["data"]["name"], response.json()["data"]["slug"]) == ("Renamed", "renamed")
    event = await AuditEvent.get(action="organization.updated")
    assert event.changed_fields == ["name", "slug"]


async def test_renaming_to_a_taken_slug_is_409(server):
    admin = await signed_in_user(server)
    organization = await organization_with((admin.id, "OrganizationAdmin"))
    other = await organization_with()
    response = await admin.client.patch(f"/api/v1/organizations/{organization.id}", json={"slug": other.slug})
    assert_problem(response, 409, "CONFLICT")
    assert (await Organization.get(id=organization.id)).slug == organization.slug


@pytest.mark.parametrize("role", ["Manager", "Coach", "Teacher"])
async def test_only_an_admin_renames_or_deletes_the_organization(server, role):
    member = await signed_in_user(server)
    organization = await organization_with((member.id, role))
    path = f"/api/v1/organizations/{organization.id}"
    assert_problem(await member.client.patch(path, json={"name": "Mine now"}), 403, "FORBIDDEN")
    assert_problem(await member.client.delete(path), 403, "FORBIDDEN")
    assert (await member.client.get(path)).status_code == 200
    assert (await Organization.get(id=organization.id)).name == organization.name


async def test_deleting_an_organization_ends_its_members_access_at_once(server):
    admin = await signed_in_user(server)
    member = await signed_in_user(server)
    organization = await organization_with((admin.id, "OrganizationAdmin"), (member.id, "Coach"))
    await member.client.put("/api/v1/me/current-organization", json={"organization_id": str(organization.id)})
    assert (await member.client.get("/api/v1/organizations/current")).status_code == 200  # cached

    response = await admin.client.delete(f"/api/v1/organizations/{organization.id}")

    assert response.json() == {"success": True}
    assert_problem(await member.client.get(f"/api/v1/organizations/{organization.id}"), 404, "NOT_FOUND")
    assert_problem(await member.client.get("/api/v1/organizations/current"), 404, "NOT_FOUND")
    me = (await member.client.get("/api/v1/me")).json()["data"]
    assert me["current_organization_id"] is None
    assert (await Organization.get(id=organization.id)).deleted_at is not None  # soft
    assert await AuditEvent.filter(action="organization.deleted").count() == 1


async def test_a_platform_admin_finds_and_restores_a_deleted_organization(server):
    admin = await signed_in_user(server)
    platform = await signed_in_user(server)
    await give_global_role(server, platform, "PlatformAdmin")
    organization = await organization_with((admin.id, "OrganizationAdmin"))
    live = await organization_with()
    await admin.client.delete(f"/api/v1/organizations/{organization.id}")

    deleted = (await platform.client.get("/api/v1/organizations", params={"deleted": "true"})).json()
    assert [item["id"] for item in deleted["data"]] == [str(organization.id)]
    assert deleted["data"][0]["deleted_at"] is not None
    everything = (await platform.client.get("/api/v1/organizations")).json()
    assert {item["id"] for item in everything["data"]} == {str(organization.id), str(live.id)}

    restored = await platform.client.post(f"/api/v1/organizations/{organization.id}/restore")

    assert restored.status_code == 200, restored.text
    assert restored.json()["data"]["deleted_at"] is None
    assert (await admin.client.get(f"/api/v1/organizations/{organization.id}")).status_code == 200
    assert await AuditEvent.filter(action="organization.restored").count() == 1
    again = await platform.client.post(f"/api/v1/organizations/{organization.id}/restore")
    assert_problem(again, 409, "CONFLICT")
    missing = await platform.client.post(f"/api/v1/organizations/{uuid.uuid4()}/restore")
    assert_problem(missing, 404, "NOT_FOUND")


async def test_an_organization_admin_cannot_restore_or_list_every_organization(server):
    admin = await signed_in_user(server)
    organization = await organization_with((admin.id, "OrganizationAdmin"))
    await Organization.filter(id=organization.id).update(deleted_at=organization.created_at)
    restore = await admin.client.post(f"/api/v1/organizations/{organization.id}/restore")
    assert_problem(restore, 403, "FORBIDDEN")
    assert_problem(await admin.client.get("/api/v1/organizations"), 403, "FORBIDDEN")
    assert (await Organization.get(id=organization.id)).deleted_at is not None


async def test_organization_is_read_by_members_only(server):
    member = await signed_in_user(server)
    stranger = await signed_in_user(server)
    organization = await organization_with((member.id, "Teacher"))
    data = (await member.client.get(f"/api/v1/organizations/{organization.id}")).json()["data"]
    assert set(data) == {"id", "name", "slug", "plan", "billing_status", "created_at", "updated_at"}
    assert_problem(await stranger.client.get(f"/api/v1/organizations/{organization.id}"), 404, "NOT_FOUND")
    assert (await User.get(id=stranger.id)).current_organization_id is None


async def test_deleting_an_organization_ends_access_by_path_for_members_acting_elsewhere(server):
    """The session snapshot lists the organizations its user may act in: deleting one
    drops every member's snapshot, not only of those whose current organization it was."""
    admin = await signed_in_user(server)
    member = await signed_in_user(server)
    home = await organization_with((member.id, "Teacher"))
    organization = await organization_with((admin.id, "OrganizationAdmin"), (member.id, "Coach"))
    await member.client.put("/api/v1/me/current-organization", json={"organization_id": str(home.id)})
    path = f"/api/v1/organizations/{organization.id}"
    assert (await member.client.get(path)).status_code == 200  # the membership is in the snapshot now

    assert (await admin.client.delete(path)).status_code == 200
    assert_problem(await member.client.get(path), 404, "NOT_FOUND")

    owner = await signed_in_user(server)
    await give_global_role(server, owner, "Owner")
    assert (await owner.client.post(f"{path}/restore")).status_code == 200
    assert (await member.client.get(path)).status_code == 200
