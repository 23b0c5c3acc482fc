"""Building test data through the public API (and the models where no API exists yet)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx

from app.auth import one_time_tokens
from app.auth.one_time_tokens import Purpose
from models import Organization, OrganizationUser, User

_numbers = itertools.count(1)
PASSWORD = "correct-horse-battery"


@dataclass
class SignedInUser:
    id: str
    email: str
    client: httpx.AsyncClient  # carries the session cookie

    @property
    def cookie(self) -> str:
        return use_cookie_value(self.client)

    def use_cookie(self, value: str) -> None:
        use_cookie(self.client, value)


def use_cookie(client: httpx.AsyncClient, value: str) -> None:
    """Send exactly this session cookie from now on (the cookie is Secure, so httpx
    would not send it back over plain http by itself)."""
    client.cookies.clear()
    client.cookies.set("tandem_session", value)


def use_cookie_value(client: httpx.AsyncClient) -> str:
    return next(cookie.value for cookie in client.cookies.jar if cookie.name == "tandem_session")


async def sign_up(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    number = next(_numbers)
    body = {
        "name": f"Person {number}",
        "nickname": f"person-{number}",
        "email": f"person{number}@example.com",
        "password": PASSWORD,
        **fields,
    }
    response = await client.post("/api/v1/auth/sign-up", json=body)
    assert response.status_code == 201, response.text
    return {**response.json()["data"], "password": body["password"]}


async def signed_in_user(server, **fields: Any) -> SignedInUser:  # type: ignore[no-untyped-def]
    """A new account and a client of its own holding its session cookie."""
    user = await sign_up(server.client, **fields)
    client = httpx.AsyncClient(base_url=server.url, headers=dict(server.client.headers), timeout=10)
    response = await client.post(
        "/api/v1/auth/sign-in", json={"email": user["email"], "password": user["password"]}
    )
    assert response.status_code == 200, response.text
    use_cookie(client, response.cookies["tandem_session"])
    return SignedInUser(id=user["id"], email=user["email"], client=client)


async def verify_email(person: SignedInUser) -> None:
    """Mark the person's address verified as the emailed link would (the token is issued
    here rather than read from an inbox)."""
    token = await one_time_tokens.issue(
        person.id, Purpose.VERIFY_EMAIL, ttl_seconds=600, payload={"email": person.email}
    )
    response = await person.client.post("/api/v1/auth/verify-email", json={"token": token})
    assert response.status_code == 200, response.text


async def organization_with(*members: tuple[str, str], name: str | None = None) -> Organization:
    """An organization whose members are (user id, role) pairs (no API for this until §5)."""
    number = next(_numbers)
    organization = await Organization.create(name=name or f"Org {number}", slug=f"org-{number}")
    for user_id, role in members:
        await OrganizationUser.create(organization=organization, user_id=user_id, role_in_organization=role)
    return organization


async def set_current_organization(user_id: str, organization: Organization) -> None:
    await User.filter(id=user_id).update(current_organization_id=organization.id)


async def give_global_role(server, person: SignedInUser, role: str | None) -> None:  # type: ignore[no-untyped-def]
    """Make `person` an Owner or PlatformAdmin (no API grants it until the users routes);
    their cached session snapshots are dropped, as the app does after such a change."""
    await User.filter(id=person.id).update(global_role=role)
    await server.state.sessions.refresh_users([UUID(person.id)])


async def signed_in_with_global_role(server, role: str, **fields: Any) -> SignedInUser:  # type: ignore[no-untyped-def]
    """A new account holding `role` (Owner, PlatformAdmin) before it signs in, so its session
    snapshot carries the role (no API grants the first one: setup makes the first Owner)."""
    user = await sign_up(server.client, **fields)
    await User.filter(id=user["id"]).update(global_role=role)
    client = httpx.AsyncClient(base_url=server.url, headers=dict(server.client.headers), timeout=10)
    response = await client.post(
        "/api/v1/auth/sign-in", json={"email": user["email"], "password": user["password"]}
    )
    assert response.status_code == 200, response.text
    use_cookie(client, response.cookies["tandem_session"])
    return SignedInUser(id=user["id"], email=user["email"], client=client)
