"""SPEC §5 audit log reading: an organization's for its OrganizationAdmins, the platform's for
PlatformAdmins; filters and cursor pages, newest first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from models import AuditEvent
from tests.factories import organization_with, signed_in_user, signed_in_with_global_role
from tests.problems import assert_problem

pytestmark = pytest.mark.many_sign_ins

ITEM_FIELDS = {
    "id",
    "created_at",
    "actor_id",
    "organization_id",
    "action",
    "target_type",
    "target_id",
    "request_id",
    "client_ip",
    "changed_fields",
}
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def recorded(
    action: str = "member.role_changed",
    *,
    organization_id: object = None,
    actor_id: object = None,
    target: tuple[str, str] = ("user", "u-1"),
    minutes: int = 0,
) -> AuditEvent:
    event = await AuditEvent.create(
        action=action,
        organization_id=organization_id,
        actor_id=actor_id,
        target_type=target[0],
        target_id=target[1],
        changed_fields=["role"],
    )
    # a known time, so that order and time filters are decided by the test
    await AuditEvent.filter(id=event.id).update(created_at=T0 + timedelta(minutes=minutes))
    return event


def ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]


async def test_organization_admin_reads_only_their_organizations_entries(server):
    admin = await signed_in_user(server)
    other_admin = await signed_in_user(server)
    mine = await organization_with((admin.id, "OrganizationAdmin"))
    theirs = await organization_with((other_admin.id, "OrganizationAdmin"))
    own = await recorded(organization_id=mine.id, minutes=1)
    await recorded(organization_id=theirs.id, minutes=2)
    await recorded("session.created", organization_id=None, minutes=3)

    response = await admin.client.get(f"/api/v1/organizations/{mine.id}/audit-events")

    assert ids(response) == [str(own.id)]
    item = response.json()["data"][0]
    assert set(item) == ITEM_FIELDS
    assert (item["organization_id"], item["changed_fields"]) == (str(mine.id), ["role"])
    assert item["created_at"].endswith("Z")
    assert response.json()["meta"]["total_count"] == 1


async def test_reading_another_organizations_log_is_refused_like_a_missing_one(server):
    admin = await signed_in_user(server)
    other_admin = await signed_in_user(server)
    await organization_with((admin.id, "OrganizationAdmin"))
    theirs = await organization_with((other_admin.id, "OrganizationAdmin"))
    await recorded(organization_id=theirs.id)

    foreign = await admin.client.get(f"/api/v1/organizations/{theirs.id}/audit-events")
    missing = await admin.client.get(f"/api/v1/organizations/{uuid.uuid4()}/audit-events")
    # the X-Organization-Id header cannot point the route elsewhere either
    smuggled = await admin.client.get(
        f"/api/v1/organizations/{theirs.id}/audit-events", headers={"X-Organization-Id": str(theirs.id)}
    )

    foreign_body = assert_problem(foreign, 404, "NOT_FOUND")
    missing_body = assert_problem(missing, 404, "NOT_FOUND")
    assert_problem(smuggled, 404, "NOT_FOUND")
    assert (foreign_body["detail"], foreign_body["title"]) == (missing_body["detail"], missing_body["title"])


async def test_members_below_organization_admin_cannot_read_the_log(server):
    manager = await signed_in_user(server)
    organization = await organization_with((manager.id, "Manager"))
    response = await manager.client.get(f"/api/v1/organizations/{organization.id}/audit-events")
    assert_problem(response, 403, "FORBIDDEN")
    assert_problem(await manager.client.get("/api/v1/admin/audit-events"), 403, "FORBIDDEN")


async def test_platform_admin_reads_every_entry_and_may_narrow_to_one_organization(server):
    admin = await signed_in_with_global_role(server, "PlatformAdmin")
    one = await organization_with()
    two = await organization_with()
    first = await recorded(organization_id=one.id, minutes=1)
    second = await recorded(organization_id=two.id, minutes=2)
    outside = await recorded("user.disabled", minutes=3)

    everything = await admin.client.get("/api/v1/admin/audit-events")
    narrowed = await admin.client.get("/api/v1/admin/audit-events", params={"organization_id": str(one.id)})
    through_organization = await admin.client.get(f"/api/v1/organizations/{two.id}/audit-events")

    # newest first; the admin's own sign-in is in the log too
    listed = ids(everything)
    assert listed[-3:] == [str(outside.id), str(second.id), str(first.id)]
    assert ids(narrowed) == [str(first.id)]
    assert ids(through_organization) == [str(second.id)]


async def test_filters_narrow_the_listing(server):
    admin = await signed_in_with_global_role(server, "PlatformAdmin")
    organization = await organization_with()
    actor = uuid.uuid4()
    org = organization.id
    by_actor = await recorded(organization_id=org, actor_id=actor, minutes=1)
    disabled = await recorded("user.disabled", organization_id=org, target=("user", "u-2"), minutes=2)
    invite = await recorded("invite.created", organization_id=org, target=("invite", "u-2"), minutes=3)

    async def listed(**params: str) -> list[str]:
        return ids(await admin.client.get(f"/api/v1/organizations/{org}/audit-events", params=params))

    assert await listed(actor_id=str(actor)) == [str(by_actor.id)]
    assert await listed(action="user.disabled") == [str(disabled.id)]
    assert await listed(target_type="invite") == [str(invite.id)]
    assert await listed(target_type="user", target_id="u-2") == [str(disabled.id)]
    assert await listed(since=(T0 + timedelta(minutes=2)).isoformat()) == [str(invite.id), str(disabled.id)]
    assert await listed(until=(T0 + timedelta(minutes=2)).isoformat()) == [str(by_actor.id)]
    between = {
        "since": (T0 + timedelta(minutes=2)).isoformat(),
        "until": (T0 + timedelta(minutes=3)).isoformat(),
    }
    assert await listed(**between) == [str(disabled.id)]


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2026-03-01T12:00:00"},  # no offset: not RFC 3339
        {"until": "yesterday"},
        {"actor_id": "not-a-uuid"},
        {"target_id": "u-1"},  # without its type
        {"action": "x" * 65},
        {"email": "someone@example.com"},
    ],
)
async def test_bad_filters_are_400(server, params):
    admin = await signed_in_with_global_role(server, "PlatformAdmin")
    assert_problem(
        await admin.client.get("/api/v1/admin/audit-events", params=params), 400, "VALIDATION_ERROR"
    )


async def test_cursor_pages_walk_the_log_newest_first_without_gaps_or_repeats(server):
    admin = await signed_in_user(server)
    organization = await organization_with((admin.id, "OrganizationAdmin"))
    # two entries share a time: the id breaks the tie
    created = [await recorded(organization_id=organization.id, minutes=n // 2) for n in range(7)]
    expected_rows = await AuditEvent.filter(id__in=[e.id for e in created]).order_by("-created_at", "-id")
    expected = [str(row.id) for row in expected_rows]

    seen: list[str] = []
    params: dict[str, str] = {"limit": "3"}
    path = f"/api/v1/organizations/{organization.id}/audit-events"
    while True:
        response = await admin.client.get(path, params=params)
        seen += ids(response)
        cursor = response.json()["meta"]["next_cursor"]
        if cursor is None:
            break
        params = {"limit": "3", "cursor": cursor}

    assert seen == expected
    first = await admin.client.get(path, params={"limit": "3"})
    tampered = first.json()["meta"]["next_cursor"][:-2] + "xx"
    assert_problem(await admin.client.get(path, params={"cursor": tampered}), 400, "INVALID_CURSOR")


async def test_an_organizations_cursor_is_refused_by_the_platform_listing(server):
    admin = await signed_in_with_global_role(server, "PlatformAdmin")
    organization = await organization_with()
    for n in range(3):
        await recorded(organization_id=organization.id, minutes=n)
    page = await admin.client.get(
        f"/api/v1/organizations/{organization.id}/audit-events", params={"limit": "1"}
    )
    cursor = page.json()["meta"]["next_cursor"]

    response = await admin.client.get("/api/v1/admin/audit-events", params={"cursor": cursor})

    assert_problem(response, 400, "INVALID_CURSOR")
