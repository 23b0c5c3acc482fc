"""A coaching program to schedule sessions in: an organization with a coach, a teacher
and a Manager, an active mentorship between the first two, and times in the future."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from models import Mentorship, Organization
from tests.factories import SignedInUser, organization_with, signed_in_user

SESSIONS = "/api/v1/sessions"


@dataclass
class Program:
    organization: Organization
    coach: SignedInUser
    teacher: SignedInUser
    manager: SignedInUser
    mentorship: Mentorship


def acting_in(person: SignedInUser, organization: Organization) -> None:
    person.client.headers["X-Organization-Id"] = str(organization.id)


async def mentorship_between(
    organization: Organization, coach: SignedInUser, teacher: SignedInUser, *, status: str = "active"
) -> Mentorship:
    return await Mentorship.create(
        organization_id=organization.id, coach_id=coach.id, teacher_id=teacher.id, status=status
    )


async def program(server: Any, *, coach: SignedInUser | None = None) -> Program:
    coach = coach or await signed_in_user(server)
    teacher = await signed_in_user(server)
    manager = await signed_in_user(server)
    organization = await organization_with(
        (coach.id, "Coach"), (teacher.id, "Teacher"), (manager.id, "Manager")
    )
    for person in (coach, teacher, manager):
        acting_in(person, organization)
    return Program(
        organization, coach, teacher, manager, await mentorship_between(organization, coach, teacher)
    )


def hours_from_now(hours: float) -> datetime:
    """A time this many hours ahead, on a whole minute (so that two tests' times line up)."""
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(second=0, microsecond=0)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def session_body(
    program: Program, starts_at: datetime, *, minutes: int = 60, **fields: Any
) -> dict[str, Any]:
    return {
        "mentorship_id": str(program.mentorship.id),
        "title": "Weekly check-in",
        "starts_at": iso(starts_at),
        "ends_at": iso(starts_at + timedelta(minutes=minutes)),
        "timezone": "Europe/Paris",
        **fields,
    }


async def schedule(
    person: SignedInUser, program: Program, starts_at: datetime, **fields: Any
) -> httpx.Response:
    return await person.client.post(SESSIONS, json=session_body(program, starts_at, **fields))


async def scheduled(
    person: SignedInUser, program: Program, starts_at: datetime, **fields: Any
) -> dict[str, Any]:
    response = await schedule(person, program, starts_at, **fields)
    assert response.status_code == 201, response.text
    return response.json()["data"]
