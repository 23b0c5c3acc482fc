"""Sessions still to come go with what they need: a mentorship that ends, a participant
who leaves the organization, an organization deleted. They are cancelled (kept, as
cancelled), their people's time is freed in every organization, and a booking racing the
end loses to it; nobody books the time of someone who has left."""

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


async def test_a_coach_removed_from_the_organization_takes_their_sessions_to_come_and_frees_their_time(
    server,
):
    p = await program(server)
    first = await scheduled(p.coach, p, hours_from_now(48))
    second = await scheduled(p.teacher, p, hours_from_now(72))

    removed = await p.manager.client.delete(f"/api/v1/organizations/{p.organization.id}/members/{p.coach.id}")

    assert removed.status_code == 200, removed.text
    for session in (first, second):
        row = await CoachingSession.get(id=session["id"])
        assert (row.status, row.reason) == ("cancelled", "A participant left the organization")
    assert not await CoachingSessionSlot.filter(user_id=p.coach.id).exists()
    # elsewhere, the coach's time is theirs again
    elsewhere = await program(server, coach=p.coach)
    assert (await schedule(p.coach, elsewhere, hours_from_now(48))).status_code == 201


async def test_a_deleted_organizations_sessions_no_longer_hold_anyones_time(server):
    p = await program(server)
    admin = await signed_in_user(server)
    await OrganizationUser.create(
        organization=p.organization, user_id=admin.id, role_in_organization="OrganizationAdmin"
    )
    session = await scheduled(p.coach, p, hours_from_now(48))

    deleted = await admin.client.delete(f"/api/v1/organizations/{p.organization.id}")

    assert deleted.status_code == 200, deleted.text
    row = await CoachingSession.get(id=session["id"])
    assert (row.status, row.reason) == ("cancelled", "The organization was deleted")
    elsewhere = await program(server, coach=p.coach)
    assert (await schedule(p.coach, elsewhere, hours_from_now(48))).status_code == 201


async def test_booking_the_time_of_someone_who_left_is_refused(server):
    """A Manager cannot fill the calendar of a former member: their time is their own now."""
    p = await program(server)
    await OrganizationUser.filter(organization_id=p.organization.id, user_id=p.teacher.id).update(
        status="removed"
    )

    response = await schedule(p.manager, p, hours_from_now(48))

    assert response.status_code == 422, response.text
    assert "no longer an active member" in response.json()["detail"]
    assert not await CoachingSession.filter(mentorship_id=p.mentorship.id).exists()
