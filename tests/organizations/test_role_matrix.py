"""The role matrix, generated from the routes' declarations (`Access.min_role`).

Each role of SPEC §1 calls every route that declares a minimum role: the answer is 403
exactly when the role's level is below that minimum, and anything else otherwise. The
chain enforces the minimum before a body is read, so an empty body is enough. A global
role counts everywhere; a role in the organization only on its organization's routes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.core.policy import level_of
from app.core.roles import Role
from tests.factories import SignedInUser, give_global_role, organization_with, signed_in_user
from tests.organizations.route_table import RouteCase, route_cases


@dataclass(frozen=True)
class Caller:
    person: SignedInUser
    global_role: str | None = None
    organization_role: str | None = None

    def level_on(self, case: RouteCase) -> int:
        organization_role = self.organization_role if case.access.organization else None
        return level_of(global_role=self.global_role, organization_role=organization_role)

    def __str__(self) -> str:
        return self.global_role or self.organization_role or "nobody"


async def callers(server) -> list[Caller]:
    """One person per role, lowest level first: a route that changes what later calls see
    (DELETE of the organization) is allowed only from some level up, so every caller
    expected to get 403 has called before it."""
    found = []
    for role in (Role.TEACHER, Role.COACH, Role.MANAGER, Role.ORGANIZATION_ADMIN):
        found.append(Caller(await signed_in_user(server), organization_role=role.value))
    for role in (Role.PLATFORM_ADMIN, Role.OWNER):
        person = await signed_in_user(server)
        await give_global_role(server, person, role.value)
        found.append(Caller(person, global_role=role.value))
    return found


async def test_each_role_is_forbidden_exactly_below_each_routes_minimum(server):
    people = await callers(server)
    cases = [case for case in route_cases(server.app) if case.access.min_role is not None]
    assert {case.access.min_role for case in cases} >= {
        Role.MANAGER,
        Role.ORGANIZATION_ADMIN,
        Role.PLATFORM_ADMIN,
    }
    failures = []
    for case in cases:
        # a fresh organization per route: what one route does to it never reaches another
        members = [
            (caller.person.id, caller.organization_role) for caller in people if caller.organization_role
        ]
        organization = await organization_with(*members)  # type: ignore[arg-type]
        values = {name: str(uuid.uuid4()) for name in case.parameters} | {
            "organization_id": str(organization.id)
        }
        minimum = Role(case.access.min_role).level  # type: ignore[arg-type]
        for caller in people:
            json = {} if case.method in ("POST", "PUT", "PATCH") else None
            # routes without the organization in their path act in the one this header names
            headers = {"X-Organization-Id": str(organization.id)}
            response = await caller.person.client.request(
                case.method, case.url(values), json=json, headers=headers
            )
            forbidden = caller.level_on(case) < minimum
            if (response.status_code == 403) != forbidden:
                expected = "403" if forbidden else "anything but 403"
                failures.append(f"{case} as {caller}: {response.status_code}, expected {expected}")
    assert not failures, "\n".join(failures)
