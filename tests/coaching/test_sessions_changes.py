"""Changing a coaching session (SPEC §6): rescheduling and editing (`sequence` rises),
cancelling, the notice window, the status machine, and what each change announces."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from models import AuditEvent, CoachingSession, CoachingSessionSlot
from tests.coaching.mentorship_support import heard as heard_events
from tests.coaching.sessions_world import SESSIONS, hours_from_now, iso, program, scheduled

pytestmark = pytest.mark.many_sign_ins


async def test_rescheduling_moves_the_slots_and_raises_the_sequence(server):
    world = await program(server)
    session = await scheduled(world.coach, world, hours_from_now(72))
    new_start = hours_from_now(80)

    response = await world.teacher.client.patch(
        f"{SESSIONS}/{session['id']}", json={"starts_at": iso(new_start)}
    )

    assert response.status_code == 200, response.text
    moved = response.json()["data"]
    assert moved["starts_at"] == iso(new_start)
    assert moved["ends_at"] == iso(new_start + timedelta(hours=1))  # the length is kept
    assert moved["sequence"] == 1
    slots = await CoachingSessionSlot.filter(session_id=session["id"])
    assert len(slots) == 2 and {slot.starts_at for slot in slots} == {new_start}
    assert await AuditEvent.filter(action="session.rescheduled", target_id=session["id"]).exists()


async def test_editing_the_title_or_the_place_raises_the_sequence(server):
    world = await program(server)
    session = await scheduled(world.coach, world, hours_from_now(72), location="Room 1")

    response = await world.coach.client.patch(
        f"{SESSIONS}/{session['id']}",
        json={
            "title": "Goals review",
            "location": None,
            "video_provider": "zoom",
            "join_url": "https://zoom.us/j/1",
        },
    )

    assert response.status_code == 200, response.text
    edited = response.json()["data"]
    assert (edited["title"], edited["location"], edited["video_provider"]) == ("Goals review", None, "zoom")
    assert edited["sequence"] == 1
    assert await AuditEvent.filter(action="session.updated", target_id=session["id"]).exists()
    both = await world.coach.client.patch(f"{SESSIONS}/{session['id']}", json={"location": "Room 2"})
    assert both.status_code == 400  # a video provider is set: clear it to give a location
    null_title = await world.coach.client.patch(f"{SESSIONS}/{session['id']}", json={"title": None})
    assert null_title.status_code == 400


async def test_teacher_cannot_cancel_inside_notice_window(server):
    world = await program(server)
    soon = await scheduled(world.coach, world, hours_from_now(5))

    response = await world.teacher.client.post(
        f"{SESSIONS}/{soon['id']}/cancel", json={"reason": "Something came up"}
    )

    assert response.status_code == 422
    assert "24 hours" in response.json()["detail"]
    assert (await world.teacher.client.get(f"{SESSIONS}/{soon['id']}")).json()["data"][
        "status"
    ] == "scheduled"


async def test_teacher_cannot_reschedule_inside_notice_window_nor_into_it(server):
    world = await program(server)
    soon = await scheduled(world.coach, world, hours_from_now(5))
    later = await scheduled(world.coach, world, hours_from_now(72))

    out_of_it = await world.teacher.client.patch(
        f"{SESSIONS}/{soon['id']}", json={"starts_at": iso(hours_from_now(90))}
    )
    into_it = await world.teacher.client.patch(
        f"{SESSIONS}/{later['id']}", json={"starts_at": iso(hours_from_now(6))}
    )

    assert out_of_it.status_code == into_it.status_code == 422
    assert "24 hours" in out_of_it.json()["detail"]


async def test_teacher_may_cancel_outside_the_notice_window(server):
    world = await program(server)
    session = await scheduled(world.coach, world, hours_from_now(25))

    response = await world.teacher.client.post(f"{SESSIONS}/{session['id']}/cancel", json={})

    assert response.status_code == 200, response.text
    cancelled = response.json()["data"]
    assert cancelled["status"] == "cancelled" and cancelled["cancelled_at"] is not None
    assert cancelled["sequence"] == 1
    again = await world.teacher.client.get(f"{SESSIONS}/{session['id']}")
    assert again.status_code == 200 and again.json()["data"]["status"] == "cancelled"
    twice = await world.teacher.client.post(f"{SESSIONS}/{session['id']}/cancel", json={})
    assert twice.status_code == 422 and "allowed from: scheduled" in twice.json()["detail"]


@pytest.mark.parametrize("who", ["coach", "manager"])
async def test_coach_or_manager_cancels_inside_the_notice_window_only_with_a_reason(server, who):
    world = await program(server)
    person = getattr(world, who)
    soon = await scheduled(world.coach, world, hours_from_now(2))

    without = await person.client.post(f"{SESSIONS}/{soon['id']}/cancel", json={})
    assert without.status_code == 422 and "reason" in without.json()["detail"]
    assert "24 hours" in without.json()["detail"]

    response = await person.client.post(f"{SESSIONS}/{soon['id']}/cancel", json={"reason": "Coach is ill"})

    assert response.status_code == 200, response.text
    assert response.json()["data"]["reason"] == "Coach is ill"
    assert str((await CoachingSession.get(id=soon["id"])).reason_by_id) == person.id


async def test_coach_reschedules_inside_the_notice_window_with_a_reason(server):
    world = await program(server)
    soon = await scheduled(world.coach, world, hours_from_now(3))
    body = {"starts_at": iso(hours_from_now(4))}

    assert (await world.coach.client.patch(f"{SESSIONS}/{soon['id']}", json=body)).status_code == 422
    response = await world.coach.client.patch(
        f"{SESSIONS}/{soon['id']}", json={**body, "reason": "Train late"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["reason"] == "Train late"


async def test_a_session_runs_from_scheduled_to_completed(server):
    world = await program(server)
    session = await scheduled(world.coach, world, hours_from_now(1))
    path = f"{SESSIONS}/{session['id']}"

    early_complete = await world.coach.client.post(f"{path}/complete")
    assert early_complete.status_code == 422
    assert (
        early_complete.json()["detail"]
        == "Cannot complete a session that is scheduled; allowed from: in_progress"
    )
    started = await world.coach.client.post(f"{path}/start")
    assert started.status_code == 200 and started.json()["data"]["status"] == "in_progress"
    assert started.json()["data"]["started_at"] is not None
    completed = await world.coach.client.post(f"{path}/complete", json={})
    assert completed.status_code == 200 and completed.json()["data"]["status"] == "completed"
    no_show = await world.coach.client.post(f"{path}/no-show")
    assert no_show.status_code == 422 and "in_progress, scheduled" in no_show.json()["detail"]
    edit = await world.coach.client.patch(path, json={"title": "Too late"})
    assert edit.status_code == 422
    actions = {event.action async for event in AuditEvent.filter(target_id=session["id"])}
    assert {"session.started", "session.completed"} <= actions


async def test_teacher_cannot_start_a_session_but_a_manager_can_mark_a_no_show(server):
    world = await program(server)
    session = await scheduled(world.coach, world, hours_from_now(1))
    path = f"{SESSIONS}/{session['id']}"

    assert (await world.teacher.client.post(f"{path}/start")).status_code == 403
    response = await world.manager.client.post(f"{path}/no-show")
    assert response.status_code == 200 and response.json()["data"]["status"] == "no_show"


async def test_each_change_is_announced_to_the_sessions_audience(server):
    world = await program(server)
    listener = server.state.events.listen(world.organization.id)
    session = await scheduled(world.coach, world, hours_from_now(48))
    await world.coach.client.patch(f"{SESSIONS}/{session['id']}", json={"starts_at": iso(hours_from_now(50))})
    await world.coach.client.patch(f"{SESSIONS}/{session['id']}", json={"title": "Renamed"})
    await world.coach.client.post(f"{SESSIONS}/{session['id']}/cancel", json={})

    heard = await heard_events(listener, 4)

    assert [event.type for event in heard] == [
        "session.scheduled",
        "session.rescheduled",
        "session.updated",
        "session.cancelled",
    ]
    assert heard[-1].data["status"] == "cancelled" and heard[-1].data["id"] == session["id"]
    assert heard[0].audience.participant_ids == {UUID(world.coach.id), UUID(world.teacher.id)}
