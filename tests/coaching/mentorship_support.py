"""What the mentorship, goal and action item tests share: an organization with a Manager,
a Coach and a Teacher whose clients act in it, and mentorships made through the API."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from app.core.live_events import LiveEvent
from app.core.policy import Actor, may_receive
from app.events.bus import Listener
from models import Organization, OrganizationUser
from tests.factories import SignedInUser, organization_with, signed_in_user
from tests.waiting import eventually

MENTORSHIPS = "/api/v1/mentorships"
GOALS = "/api/v1/goals"
ACTION_ITEMS = "/api/v1/action-items"


@dataclass
class Program:
    organization: Organization
    manager: SignedInUser
    coach: SignedInUser
    teacher: SignedInUser


async def person_in(server, organization: Organization, role: str) -> SignedInUser:  # type: ignore[no-untyped-def]
    """A new member of `organization` with `role`, whose client acts there."""
    person = await signed_in_user(server)
    await OrganizationUser.create(organization=organization, user_id=person.id, role_in_organization=role)
    acting_in(person, organization)
    return person


def acting_in(person: SignedInUser, organization: Organization) -> None:
    person.client.headers["X-Organization-Id"] = str(organization.id)


async def program(server) -> Program:  # type: ignore[no-untyped-def]
    manager, coach, teacher = [await signed_in_user(server) for _ in range(3)]
    organization = await organization_with(
        (manager.id, "Manager"), (coach.id, "Coach"), (teacher.id, "Teacher")
    )
    for person in (manager, coach, teacher):
        acting_in(person, organization)
    return Program(organization, manager, coach, teacher)


async def mentorship_of(program: Program, **fields: Any) -> dict[str, Any]:
    """An active mentorship of the program's coach and teacher, made by its Manager."""
    body = {"coach_id": program.coach.id, "teacher_id": program.teacher.id, **fields}
    response = await program.manager.client.post(MENTORSHIPS, json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


async def goal_of(author: SignedInUser, mentorship: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {"mentorship_id": mentorship["id"], "title": "Run a class without notes", **fields}
    response = await author.client.post(GOALS, json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


async def item_of(author: SignedInUser, mentorship: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """An action item of the mentorship, assigned to its teacher unless told otherwise."""
    body = {"mentorship_id": mentorship["id"], "title": "Send the reading list", **fields}
    body.setdefault("assignee_id", mentorship["teacher_id"])
    response = await author.client.post(ACTION_ITEMS, json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


async def listening(server, organization_id: UUID) -> Listener:  # type: ignore[no-untyped-def]
    """A listener to the organization's events from now on: what earlier requests
    published may still be on its way through Redis, so a moment is let pass and
    whatever arrived in it is dropped."""
    listener = server.state.events.listen(organization_id)
    await asyncio.sleep(0.2)
    listener.pending.clear()
    return listener


async def heard(listener: Listener, count: int) -> list[LiveEvent]:
    """The `count` events the listener holds once they arrived (through Redis they come
    after the request's answer), oldest first; a moment more shows that no more came."""
    await eventually(lambda: len(listener.pending) >= count, timeout=5)
    await asyncio.sleep(0.05)
    events = [delivered.event for delivered in listener.pending]
    listener.pending.clear()
    return events


def reaches(event: LiveEvent, person: SignedInUser, role: str) -> bool:
    """Whether `event` would reach the stream of `person`, a member with `role`."""
    return may_receive(Actor(UUID(person.id), None, role), event.audience)


def without_request_id(body: dict) -> dict:
    """A problem body as another request would get it too (request ids differ)."""
    return {key: value for key, value in body.items() if key != "request_id"}
