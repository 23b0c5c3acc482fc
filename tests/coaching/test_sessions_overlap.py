"""No one in two sessions at once (SPEC §6): half-open times, across organizations, decided
by the database when bookings race, and a 409 that names only what the caller may see."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from models import CoachingSession, CoachingSessionSlot, OrganizationUser
from tests.coaching.sessions_world import (
    SESSIONS,
    acting_in,
    hours_from_now,
    mentorship_between,
    program,
    schedule,
    scheduled,
    session_body,
)
from tests.factories import organization_with, signed_in_user

pytestmark = pytest.mark.many_sign_ins


async def overlapping_slot_pairs() -> int:
    slots = await CoachingSessionSlot.all()
    return sum(
        1
        for index, one in enumerate(slots)
        for other in slots[index + 1 :]
        if one.user_id == other.user_id and one.starts_at < other.ends_at and other.starts_at < one.ends_at
    )


async def test_an_overlapping_session_of_the_coach_is_refused_naming_it(server):
    world = await program(server)
    starts_at = hours_from_now(72)
    first = await scheduled(world.coach, world, starts_at)

    response = await schedule(world.coach, world, starts_at + timedelta(minutes=30))

    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "SESSION_OVERLAP"
    assert problem["conflicting_session_id"] == first["id"]
    assert first["id"] in problem["detail"] and "coach" in problem["detail"]


async def test_back_to_back_sessions_do_not_overlap(server):
    world = await program(server)
    starts_at = hours_from_now(72)
    await scheduled(world.coach, world, starts_at, minutes=60)
    await scheduled(world.coach, world, starts_at + timedelta(minutes=60), minutes=60)
    await scheduled(world.coach, world, starts_at - timedelta(minutes=30), minutes=30)


async def test_the_teacher_busy_with_another_coach_is_a_conflict_too(server):
    world = await program(server)
    other_coach = await signed_in_user(server)
    await OrganizationUser.create(
        organization_id=world.organization.id, user_id=other_coach.id, role_in_organization="Coach"
    )
    acting_in(other_coach, world.organization)
    other = await mentorship_between(world.organization, other_coach, world.teacher)
    starts_at = hours_from_now(72)
    taken = await scheduled(world.coach, world, starts_at)

    body = session_body(world, starts_at + timedelta(minutes=10))
    body["mentorship_id"] = str(other.id)
    response = await other_coach.client.post(SESSIONS, json=body)

    assert response.status_code == 409
    # the other coach is no participant of the teacher's first session: not named
    assert response.json()["conflicting_session_id"] is None
    assert response.json()["detail"] == "The teacher is busy at that time"
    assert taken["id"] not in response.text
    # a Manager, who may see both, is told which
    body_by_manager = await world.manager.client.post(SESSIONS, json=body)
    assert body_by_manager.json()["conflicting_session_id"] == taken["id"]


async def test_booking_over_someone_elses_session_in_another_organization_reveals_nothing(server):
    """A coach working in two organizations: a Manager of the second tries to book the
    coach at a time taken in the first. The booking is refused, and nothing of the first
    organization's session (id, title, times) reaches the second."""
    world = await program(server)
    starts_at = hours_from_now(72)
    secret = await scheduled(world.coach, world, starts_at, title="Confidential restructuring talk")

    elsewhere_teacher = await signed_in_user(server)
    elsewhere_manager = await signed_in_user(server)
    elsewhere = await organization_with(
        (world.coach.id, "Coach"), (elsewhere_teacher.id, "Teacher"), (elsewhere_manager.id, "Manager")
    )
    acting_in(elsewhere_manager, elsewhere)
    mentorship = await mentorship_between(elsewhere, world.coach, elsewhere_teacher)
    body = session_body(world, starts_at + timedelta(minutes=15))
    body["mentorship_id"] = str(mentorship.id)

    response = await elsewhere_manager.client.post(SESSIONS, json=body)

    assert response.status_code == 409
    problem = response.json()
    assert problem["conflicting_session_id"] is None
    assert problem["detail"] == "The coach is busy at that time"
    for secret_part in (secret["id"], "Confidential", secret["starts_at"], secret["ends_at"]):
        assert secret_part not in response.text
    # the coach themself, acting in the second organization, is not told either
    acting_in(world.coach, elsewhere)
    as_coach = await world.coach.client.post(SESSIONS, json=body)
    assert as_coach.status_code == 409 and as_coach.json()["conflicting_session_id"] is None


async def test_twenty_concurrent_bookings_of_one_coach_make_exactly_one_session(server):
    world = await program(server)
    starts_at = hours_from_now(96)
    bodies = [session_body(world, starts_at + timedelta(minutes=minute)) for minute in range(0, 40, 2)]

    responses = await asyncio.gather(*(world.coach.client.post(SESSIONS, json=body) for body in bodies))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 19, [
        response.text for response in responses if response.status_code >= 500
    ]
    winner = next(response.json()["data"]["id"] for response in responses if response.status_code == 201)
    assert {
        response.json()["conflicting_session_id"] for response in responses if response.status_code == 409
    } == {winner}
    assert await CoachingSession.filter(mentorship_id=world.mentorship.id).count() == 1
    assert await overlapping_slot_pairs() == 0


async def test_a_coach_is_busy_across_organizations(server):
    world = await program(server)
    starts_at = hours_from_now(72)
    await scheduled(world.coach, world, starts_at)
    elsewhere_teacher = await signed_in_user(server)
    elsewhere = await organization_with((world.coach.id, "Coach"), (elsewhere_teacher.id, "Teacher"))
    mentorship = await mentorship_between(elsewhere, world.coach, elsewhere_teacher)
    acting_in(world.coach, elsewhere)
    body = session_body(world, starts_at + timedelta(minutes=59))
    body["mentorship_id"] = str(mentorship.id)
    assert (await world.coach.client.post(SESSIONS, json=body)).status_code == 409
    body = session_body(world, starts_at + timedelta(minutes=60))
    body["mentorship_id"] = str(mentorship.id)
    assert (await world.coach.client.post(SESSIONS, json=body)).status_code == 201


async def test_a_cancelled_session_frees_its_time(server):
    world = await program(server)
    starts_at = hours_from_now(72)
    first = await scheduled(world.coach, world, starts_at)
    cancelled = await world.coach.client.post(f"{SESSIONS}/{first['id']}/cancel", json={"reason": "Ill"})
    assert cancelled.status_code == 200, cancelled.text
    assert not await CoachingSessionSlot.filter(session_id=first["id"]).exists()
    await scheduled(world.coach, world, starts_at)


async def test_rescheduling_onto_another_session_is_refused_and_changes_nothing(server):
    world = await program(server)
    starts_at = hours_from_now(72)
    first = await scheduled(world.coach, world, starts_at)
    second = await scheduled(world.coach, world, starts_at + timedelta(hours=3))

    moved = await world.coach.client.patch(
        f"{SESSIONS}/{second['id']}", json={"starts_at": first["starts_at"]}
    )

    assert moved.status_code == 409 and moved.json()["conflicting_session_id"] == first["id"]
    again = await world.coach.client.get(f"{SESSIONS}/{second['id']}")
    assert again.json()["data"] == second
    # onto its own time, shifted by half an hour: its own slot does not count
    shifted = await world.coach.client.patch(
        f"{SESSIONS}/{second['id']}",
        json={"starts_at": (starts_at + timedelta(hours=3, minutes=30)).isoformat()},
    )
    assert shifted.status_code == 200, shifted.text
    assert await overlapping_slot_pairs() == 0
