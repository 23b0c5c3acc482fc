"""What the invite tests share: an organization with someone who invites, invites made
through the API, and time moved on for invites (their expiry and send times are rows)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from app.core.scoping import unscoped
from models import Invite, Organization
from tests.factories import SignedInUser, organization_with, signed_in_user, verify_email

INVITE_SUBJECT = "invited you"


def invites_path(organization: Organization | str) -> str:
    organization_id = organization.id if isinstance(organization, Organization) else organization
    return f"/api/v1/organizations/{organization_id}/invites"


async def organization_run_by(server, role: str = "OrganizationAdmin", **fields: Any):  # type: ignore[no-untyped-def]
    """(the person who invites, their organization)"""
    inviter = await signed_in_user(server)
    organization = await organization_with((inviter.id, role), **fields)
    return inviter, organization


async def verified_user(server) -> SignedInUser:  # type: ignore[no-untyped-def]
    person = await signed_in_user(server)
    await verify_email(person)
    return person


async def invite(
    inviter: SignedInUser, organization: Organization, email: str, role: str = "Teacher", **fields: Any
) -> dict[str, Any]:
    response = await inviter.client.post(
        invites_path(organization), json={"email": email, "role": role, **fields}
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]


async def accept(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/api/v1/invites/accept", json={"token": token})


async def move_time_on(email: str, seconds: float) -> None:
    """As if `seconds` had passed for every invite to `email`: created, sent and expiring
    that much earlier."""
    shift = timedelta(seconds=seconds)
    for row in await unscoped(Invite, reason="tests move time on").filter(email=email):
        await (
            unscoped(Invite, reason="tests move time on")
            .filter(id=row.id)
            .update(created_at=row.created_at - shift, expires_at=row.expires_at - shift)
        )
