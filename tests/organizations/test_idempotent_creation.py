"""Idempotency-Key on the app's own creating routes (SPEC §1): creating an organization or
an invite twice under one key creates once, and the retry gets the first response back.
The link itself (claims, expiry, take-over) is tested in tests/middleware/test_idempotency.py
with a test route; here it meets the real services, their audit rows and their emails."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from app.core.scoping import unscoped
from models import AuditEvent, Invite, Organization, OrganizationUser, OutboxMessage
from tests.factories import SignedInUser, use_cookie
from tests.invites.support import INVITE_SUBJECT, invites_path, organization_run_by, verified_user
from tests.organizations.route_table import PARAMETER, route_cases
from tests.problems import assert_problem
from tests.waiting import eventually

pytestmark = pytest.mark.many_sign_ins

ORGANIZATIONS = "/api/v1/organizations"


def key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


def second_client(person: SignedInUser) -> httpx.AsyncClient:
    """Another connection of the same person, in the same session (a second tab, a retry
    from another socket)."""
    client = httpx.AsyncClient(
        base_url=str(person.client.base_url), headers=dict(person.client.headers), timeout=10
    )
    use_cookie(client, person.cookie)
    return client


def assert_replay_of(again: httpx.Response, first: httpx.Response) -> None:
    assert again.status_code == first.status_code
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers


async def organizations_named(name: str) -> list[Organization]:
    return await Organization.filter(name=name)


async def test_creating_an_organization_twice_with_one_key_creates_it_once(server):
    person = await verified_user(server)

    first = await person.client.post(ORGANIZATIONS, json={"name": "Acme"}, headers=key("org-1"))
    again = await person.client.post(ORGANIZATIONS, json={"name": "Acme"}, headers=key("org-1"))

    assert first.status_code == 201, first.text
    assert_replay_of(again, first)
    (organization,) = await organizations_named("Acme")
    assert str(organization.id) == first.json()["data"]["id"]
    assert await OrganizationUser.filter(organization_id=organization.id).count() == 1
    assert await AuditEvent.filter(action="organization.created").count() == 1


async def test_reusing_a_key_for_another_organization_is_422_and_creates_nothing(server):
    person = await verified_user(server)
    assert (
        await person.client.post(ORGANIZATIONS, json={"name": "Acme"}, headers=key("k"))
    ).status_code == 201

    reused = await person.client.post(ORGANIZATIONS, json={"name": "Other"}, headers=key("k"))

    assert_problem(reused, 422, "IDEMPOTENCY_KEY_REUSED")
    assert await Organization.all().count() == 1


async def test_another_user_with_the_same_key_creates_their_own_organization(server):
    ada, bob = await verified_user(server), await verified_user(server)

    mine = await ada.client.post(ORGANIZATIONS, json={"name": "Acme"}, headers=key("shared"))
    theirs = await bob.client.post(ORGANIZATIONS, json={"name": "Acme"}, headers=key("shared"))

    assert mine.status_code == theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert mine.json()["data"]["id"] != theirs.json()["data"]["id"]
    assert len(await organizations_named("Acme")) == 2
    membership = await OrganizationUser.get(organization_id=theirs.json()["data"]["id"])
    assert str(membership.user_id) == bob.id


async def test_the_same_key_sent_for_another_organization_header_is_another_request(server):
    person = await verified_user(server)
    first = await person.client.post(ORGANIZATIONS, json={"name": "Acme"}, headers=key("k"))
    assert first.status_code == 201

    elsewhere = await person.client.post(
        ORGANIZATIONS,
        json={"name": "Acme"},
        headers={**key("k"), "X-Organization-Id": first.json()["data"]["id"]},
    )

    assert_problem(elsewhere, 422, "IDEMPOTENCY_KEY_REUSED")
    assert await Organization.all().count() == 1


async def test_two_creations_at_once_with_one_key_create_one_organization(server):
    person = await verified_user(server)
    other_tab = second_client(person)
    try:
        # a race is lost or won by timing: several rounds make both orders likely
        for round_number in range(6):
            name = f"Race {round_number}"
            responses = await asyncio.gather(
                person.client.post(ORGANIZATIONS, json={"name": name}, headers=key(f"race-{round_number}")),
                other_tab.post(ORGANIZATIONS, json={"name": name}, headers=key(f"race-{round_number}")),
            )
            created = [
                r for r in responses if r.status_code == 201 and "idempotent-replayed" not in r.headers
            ]
            assert len(created) == 1, [(r.status_code, r.text) for r in responses]
            (other,) = [r for r in responses if r is not created[0]]
            if other.status_code == 409:
                assert_problem(other, 409, "IDEMPOTENCY_KEY_IN_USE")
            else:
                assert_replay_of(other, created[0])
            assert len(await organizations_named(name)) == 1
    finally:
        await other_tab.aclose()
    assert await AuditEvent.filter(action="organization.created").count() == 6


async def test_inviting_twice_with_one_key_makes_one_invite_and_sends_one_email(mail_server, smtp_server):
    inviter, organization = await organization_run_by(mail_server)
    body = {"email": "new@example.com", "role": "Teacher"}

    first = await inviter.client.post(invites_path(organization), json=body, headers=key("invite-1"))
    again = await inviter.client.post(invites_path(organization), json=body, headers=key("invite-1"))

    assert first.status_code == 201, first.text
    assert_replay_of(again, first)
    (invite,) = await unscoped(Invite, reason="test").filter(email="new@example.com")
    assert str(invite.id) == first.json()["data"]["id"]
    assert await AuditEvent.filter(action="invite.created").count() == 1
    # everything staged was published and delivered: a second email would be in the inbox
    await smtp_server.inbox.wait_for("new@example.com", INVITE_SUBJECT)
    await eventually(outbox_is_empty)
    await asyncio.to_thread(mail_server.state.broker.join, "email", timeout=10_000)
    assert len(smtp_server.inbox.to("new@example.com")) == 1


async def test_the_same_key_on_another_organizations_invites_is_422_not_a_replay(server):
    inviter, first_organization = await organization_run_by(server)
    second_organization = await Organization.create(name="Second", slug="second")
    await OrganizationUser.create(
        organization=second_organization, user_id=inviter.id, role_in_organization="OrganizationAdmin"
    )
    body = {"email": "new@example.com", "role": "Teacher"}
    first = await inviter.client.post(invites_path(first_organization), json=body, headers=key("k"))
    assert first.status_code == 201

    elsewhere = await inviter.client.post(invites_path(second_organization), json=body, headers=key("k"))

    assert_problem(elsewhere, 422, "IDEMPOTENCY_KEY_REUSED")
    assert await unscoped(Invite, reason="test").filter(organization_id=second_organization.id).count() == 0
    # on a route naming its organization in the path, X-Organization-Id is ignored: the
    # request acts in the same organization, so it is the same request
    again = await inviter.client.post(
        invites_path(first_organization),
        json=body,
        headers={**key("k"), "X-Organization-Id": str(second_organization.id)},
    )
    assert_replay_of(again, first)


async def test_every_signed_in_creating_post_documents_the_key(server):
    """Walks the route table: a creating POST added later is checked without a line here."""
    paths = (await server.bare.get("/api/v1/openapi.json")).json()["paths"]
    checked = []
    for case in route_cases(server.app):
        if case.method != "POST" or case.operation is None or case.operation.status != 201:
            continue
        operation = paths[PARAMETER.sub(r"{\1}", case.path)]["post"]
        headers = [p["name"] for p in operation.get("parameters", ()) if p["in"] == "header"]
        # anonymous creations (sign-up, bootstrap) have no user to scope a key to
        assert ("Idempotency-Key" in headers) == case.access.authenticated, case
        if case.access.authenticated:
            assert "Idempotent-Replayed" in operation["responses"]["201"]["headers"], case
            checked.append(case.path)
    assert {"/api/v1/organizations", "/api/v1/organizations/<organization_id:uuid>/invites"} <= set(checked)


async def outbox_is_empty() -> bool:
    return await OutboxMessage.all().count() == 0
