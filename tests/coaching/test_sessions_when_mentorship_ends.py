"""A mentorship that ends takes its sessions to come with it: they are cancelled (kept,
as cancelled), their time is freed, and a booking racing the end loses to it."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.transactions import in_transaction

from models import AuditEvent, CoachingSession, CoachingSessionSlot, Mentorship, OrganizationUser
from tests.coaching.sessions_world import hours_from_now, program, schedule, scheduled, session_body
from tests.factories import signed_in_user
from tests.waiting import eventually

MENTORSHIPS = "/api/v1/mentorships"


async def test_ending_a_mentorship_cancels_its_sessions_to_come_and_frees_their_time(server):
    p = await program(server)
    listener = server.state.events.listen(p.organization.id)
    soon = await scheduled(p.coach, p, hours_from_now(48))
    later = await scheduled(p.coach, p, hours_from_now(72))
    running = await scheduled(p.coach, p, hours_from_now(96))
    await CoachingSession.filter(id=running["id"]).update(status="in_progress")

    ended = await p.teacher.client.patch(
        f"{MENTORSHIPS}/{p.mentorship.id}", json={"status": "ended", "end_reason": "Moved abroad"}
    )

    assert ended.status_code == 200, ended.text
    for cancelled in (soon, later):
        row = await CoachingSession.get(id=cancelled["id"])
        assert (row.status, row.reason) == ("cancelled", "The mentorship ended")
        assert row.sequence == cancelled["sequence"] + 1  # calendars see the change
        assert not await CoachingSession.filter(id=row.id, cancelled_at=None).exists()
        assert await AuditEvent.filter(action="session.cancelled", target_id=cancelled["id"]).exists()
    assert (await CoachingSession.get(id=running["id"])).status == "in_progress"  # under way: kept
    assert not await CoachingSessionSlot.filter(session_id__in=[soon["id"], later["id"]]).exists()
    await eventually(lambda: len(listener.pending) >= 6, timeout=5)
    heard = [delivered.event.type for delivered in listener.pending]
    assert heard[-3:] == ["mentorship.ended", "session.cancelled", "session.cancelled"]

    # the coach's freed time can go to another coachee
    another = await signed_in_user(server)
    await OrganizationUser.create(
        organization=p.organization, user_id=another.id, role_in_organization="Teacher"
    )
    second = await Mentorship.create(
        organization_id=p.organization.id, coach_id=p.coach.id, teacher_id=another.id, status="active"
    )
    body = session_body(p, hours_from_now(48), mentorship_id=str(second.id))
    assert (await p.coach.client.post("/api/v1/sessions", json=body)).status_code == 201


async def test_a_booking_racing_the_end_of_its_mentorship_is_refused(server):
    """The end holds the mentorship's row lock (as PATCH does) while a session is booked:
    once the end commits, the booking sees `ended` (422); no session lands in it."""
    if server.state.settings.database.dialect != "postgres":
        pytest.skip("row locks: SQLite serializes writes")
    p = await program(server)

    async with in_transaction():
        row = await Mentorship.filter(id=p.mentorship.id).select_for_update().get()
        row.status = "ended"
        await row.save(update_fields=["status"])
        booking = asyncio.ensure_future(schedule(p.coach, p, hours_from_now(48)))
        await asyncio.sleep(0.5)
    response = await booking

    assert response.status_code == 422, response.text
    assert not await CoachingSession.filter(mentorship_id=p.mentorship.id).exists()
