"""BOLA (broken object-level authorization), generated from the app's route table.

For every organization route (Access.organization) with path parameters, and every
method it serves, an admin of organization A names objects of organization B: the answer
is exactly the one for an id that does not exist (404, the same body but its request id).
Every list of A holds no row of B. Path parameters are filled from IN_ORGANIZATION_B; a
route with a parameter missing there fails the test, naming it, so that routes added later
join the matrix or fail.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sanic.response import json as json_response

from app.core.access import ORG_MEMBER
from app.core.endpoint import endpoint
from models import CoachingSession, Invite, Organization, OrganizationUser
from tests.factories import SignedInUser, organization_with, signed_in_user
from tests.organizations.route_table import RouteCase, route_cases, sample_body


@dataclass
class World:
    a: Organization
    b: Organization
    admin_of_a: SignedInUser
    member_of_a: str
    member_of_b: str


async def _invite_in_b(world: World) -> str:
    invite = await Invite.create(
        organization_id=world.b.id,
        email=f"invitee-{uuid.uuid4().hex[:8]}@example.com",
        role="Teacher",
        token_hash=secrets.token_hex(32),
        expires_at=datetime.now(UTC) + timedelta(days=7),
    )
    return str(invite.id)


async def _session_in_b(world: World) -> str:
    starts_at = datetime.now(UTC) + timedelta(days=3)
    session = await CoachingSession.create(
        organization_id=world.b.id,
        mentorship_id=uuid.uuid4(),
        coach_id=uuid.uuid4(),
        teacher_id=world.member_of_b,
        title="B's session",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        timezone="Europe/Paris",
    )
    return str(session.id)


async def _organization_b(world: World) -> str:
    return str(world.b.id)


async def _member_of_b(world: World) -> str:
    return world.member_of_b


# a path parameter → an object of that kind in organization B (its id)
IN_ORGANIZATION_B: dict[str, Callable[[World], Awaitable[str]]] = {
    "organization_id": _organization_b,
    "user_id": _member_of_b,
    "invite_id": _invite_in_b,
    "session_id": _session_in_b,
}


def without_request_id(response: httpx.Response) -> tuple[int, dict]:
    body = response.json()
    body.pop("request_id", None)
    return response.status_code, body


async def build_world(server) -> World:
    admin_of_a = await signed_in_user(server)
    member_of_a = await signed_in_user(server)
    admin_of_b = await signed_in_user(server)
    member_of_b = await signed_in_user(server)
    a = await organization_with((admin_of_a.id, "OrganizationAdmin"), (member_of_a.id, "Teacher"))
    b = await organization_with((admin_of_b.id, "OrganizationAdmin"), (member_of_b.id, "Teacher"))
    # routes without the organization in their path (/sessions/{id}) act in the one named here
    admin_of_a.client.headers["X-Organization-Id"] = str(a.id)
    return World(a, b, admin_of_a, member_of_a.id, member_of_b.id)


def organization_routes(server) -> list[RouteCase]:
    return [case for case in route_cases(server.app) if case.access.organization and case.parameters]


async def bola_failures(server, world: World) -> list[str]:
    """What the matrix finds wrong, one line per route, method and attempt."""
    failures: list[str] = []
    for case in organization_routes(server):
        unknown = [name for name in case.parameters if name not in IN_ORGANIZATION_B]
        if unknown:
            failures.append(f"{case}: no factory in IN_ORGANIZATION_B for {', '.join(unknown)}")
            continue
        try:
            body = sample_body(case)
        except LookupError as error:
            failures.append(str(error))
            continue
        foreign = {name: await IN_ORGANIZATION_B[name](world) for name in case.parameters}
        missing = {name: str(uuid.uuid4()) for name in case.parameters}
        attempts = [(foreign, missing)]
        if len(case.parameters) > 1:
            # inside my own organization, naming the other one's objects
            mine = {"organization_id": str(world.a.id)}
            attempts.append(({**foreign, **mine}, {**missing, **mine}))
        json = body if case.method in ("POST", "PUT", "PATCH") else None
        for foreign_values, missing_values in attempts:
            send = world.admin_of_a.client.request
            got = without_request_id(await send(case.method, case.url(foreign_values), json=json))
            expected = without_request_id(await send(case.method, case.url(missing_values), json=json))
            if expected[0] != 404 or got != expected:
                failures.append(f"{case} with {foreign_values}: {got} where a missing id gets {expected}")
    return failures


async def test_objects_of_another_organization_are_answered_as_missing(server):
    world = await build_world(server)
    paths = {case.path for case in organization_routes(server)}
    assert "/api/v1/organizations/<organization_id:uuid>/members/<user_id:uuid>" in paths

    failures = await bola_failures(server, world)

    assert not failures, "\n".join(failures)
    # nothing of B was touched on the way
    assert await Organization.filter(id=world.b.id, deleted_at=None).exists()
    assert (await OrganizationUser.get(user_id=world.member_of_b)).status == "active"


async def test_a_route_with_a_parameter_the_matrix_cannot_fill_fails_it(settings, start_app):
    @endpoint(ORG_MEMBER, summary="A widget", tag="widgets")
    async def widget(request, organization_id, widget_id):  # type: ignore[no-untyped-def]
        return json_response({})

    prepare = lambda app: app.add_route(
        widget, "/api/v1/organizations/<organization_id:uuid>/widgets/<widget_id:uuid>", name="widget"
    )
    async with start_app(settings, prepare=prepare) as server:
        failures = await bola_failures(server, await build_world(server))
    route = "GET /api/v1/organizations/<organization_id:uuid>/widgets/<widget_id:uuid>"
    assert failures == [f"{route}: no factory in IN_ORGANIZATION_B for widget_id"]


async def test_lists_of_my_organization_hold_no_row_of_another(server):
    world = await build_world(server)
    foreign_ids = {str(world.b.id), world.member_of_b, await _invite_in_b(world)}
    lists = [
        case
        for case in route_cases(server.app)
        if case.access.organization
        and case.method == "GET"
        and case.operation is not None
        and case.operation.listing
        and case.parameters == ["organization_id"]
    ]
    assert lists, "no organization list route found"
    for case in lists:
        response = await world.admin_of_a.client.get(case.url({"organization_id": str(world.a.id)}))
        assert response.status_code == 200, f"{case}: {response.text}"
        leaked = [identifier for identifier in foreign_ids if identifier in response.text]
        assert not leaked, f"{case} lists rows of another organization: {leaked}"
    members = await world.admin_of_a.client.get(f"/api/v1/organizations/{world.a.id}/members")
    assert world.member_of_a in members.text  # the check above can see a row when there is one
