"""Scheduling a coaching session (SPEC §6): who may, the times, the place, and reading it."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from models import AuditEvent, CoachingSession, CoachingSessionSlot, OrganizationUser
from tests.coaching.sessions_world import (
    SESSIONS,
    acting_in,
    hours_from_now,
    program,
    schedule,
    scheduled,
    session_body,
)
from tests.factories import organization_with, signed_in_user

pytestmark = pytest.mark.many_sign_ins


async def test_coach_schedules_a_session_both_participants_read_it(server):
    world = await program(server)
    starts_at = hours_from_now(72)

    response = await schedule(world.coach, world, starts_at, location="Room 4")

    assert response.status_code == 201, response.text
    session = response.json()["data"]
    assert response.headers["location"] == f"/api/v1/sessions/{session['id']}"
    assert session["status"] == "scheduled"
    assert session["coach_id"] == world.coach.id and session["teacher_id"] == world.teacher.id
    assert session["starts_at"] == starts_at.isoformat().replace("+00:00", "Z")
    assert session["location"] == "Room 4" and session["sequence"] == 0
    for reader in (world.teacher, world.manager):
        read = await reader.client.get(f"{SESSIONS}/{session['id']}")
        assert read.status_code == 200 and read.json()["data"] == session
    assert await CoachingSessionSlot.filter(session_id=session["id"]).count() == 2
    assert await AuditEvent.filter(action="session.scheduled", target_id=session["id"]).exists()


async def test_the_teacher_and_a_manager_may_schedule_too(server):
    world = await program(server)
    await scheduled(world.teacher, world, hours_from_now(48))
    await scheduled(world.manager, world, hours_from_now(50))


async def test_times_with_an_offset_are_stored_and_returned_in_utc(server):
    world = await program(server)
    starts = hours_from_now(100)
    local = starts.astimezone(ZoneInfo("Asia/Kolkata"))  # +05:30
    body = session_body(world, starts)
    body["starts_at"] = local.isoformat()
    body["ends_at"] = (local + timedelta(minutes=90)).isoformat()

    response = await world.coach.client.post(SESSIONS, json=body)

    assert response.status_code == 201, response.text
    assert response.json()["data"]["starts_at"] == starts.isoformat().replace("+00:00", "Z")
    assert response.json()["data"]["ends_at"] == (starts + timedelta(minutes=90)).isoformat().replace(
        "+00:00", "Z"
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"location": "Room 1", "video_provider": "zoom"}, None),
        ({"video_meeting_id": "123"}, None),
        ({"title": ""}, "title"),
    ],
)
async def test_malformed_sessions_are_refused_with_400(server, fields, field):
    world = await program(server)
    response = await schedule(world.coach, world, hours_from_now(40), **fields)
    assert response.status_code == 400, response.text
    if field:
        assert response.json()["errors"][0]["field"] == field


async def test_a_session_ending_before_it_starts_is_refused_with_400(server):
    world = await program(server)
    response = await schedule(world.coach, world, hours_from_now(40), minutes=-30)
    assert response.status_code == 400
    assert "ends_at must be after starts_at" in response.json()["detail"]


@pytest.mark.parametrize("minutes", [2, 9 * 60])
async def test_a_session_too_short_or_too_long_is_refused_naming_the_bounds(server, minutes):
    world = await program(server)
    response = await schedule(world.coach, world, hours_from_now(40), minutes=minutes)
    assert response.status_code == 422
    assert response.json()["detail"] == "A session lasts between 5 minutes and 8 hours"


async def test_a_session_in_the_past_or_too_far_ahead_is_refused(server):
    world = await program(server)
    past = await schedule(world.coach, world, hours_from_now(-2))
    assert past.status_code == 422 and "past" in past.json()["detail"]
    ahead = await schedule(world.coach, world, hours_from_now(24 * 731))
    assert ahead.status_code == 422 and "730 days" in ahead.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript://example.com/%0aalert(1)",
        "http://zoom.us/j/123",
        "data:text/html,<script>alert(1)</script>",
        "https://user:pass@evil.example/j/1",
        "https://zoom.us/j/1 onmouseover=alert(1)",
        "https:///nohost",
    ],
)
async def test_javascript_join_url_is_refused(server, url):
    world = await program(server)
    response = await schedule(world.coach, world, hours_from_now(40), video_provider="zoom", join_url=url)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["field"] == "join_url"
    assert not await CoachingSession.filter(mentorship_id=world.mentorship.id).exists()


async def test_an_https_join_link_with_its_provider_is_kept(server):
    world = await program(server)
    session = await scheduled(
        world.coach,
        world,
        hours_from_now(40),
        video_provider="zoom",
        video_meeting_id="852 1234 5678",
        join_url="https://zoom.us/j/85212345678?pwd=abc",
    )
    assert session["join_url"] == "https://zoom.us/j/85212345678?pwd=abc"
    assert session["video_provider"] == "zoom" and session["location"] is None


@pytest.mark.parametrize("status", ["pending", "paused", "ended"])
async def test_only_an_active_mentorship_gets_sessions(server, status):
    world = await program(server)
    world.mentorship.status = status
    await world.mentorship.save()
    response = await schedule(world.coach, world, hours_from_now(40))
    assert response.status_code == 422
    assert status in response.json()["detail"]


async def test_a_coach_who_is_not_a_participant_cannot_see_or_schedule(server):
    world = await program(server)
    session = await scheduled(world.coach, world, hours_from_now(40))
    stranger = await signed_in_user(server)
    await OrganizationUser.create(
        organization_id=world.organization.id, user_id=stranger.id, role_in_organization="Coach"
    )
    acting_in(stranger, world.organization)

    read = await stranger.client.get(f"{SESSIONS}/{session['id']}")
    missing = await stranger.client.get(f"{SESSIONS}/00000000-0000-4000-8000-000000000000")
    assert read.status_code == 404
    assert read.json()["detail"] == missing.json()["detail"]
    booked = await schedule(stranger, world, hours_from_now(60))
    assert booked.status_code == 404
    changed = await stranger.client.post(f"{SESSIONS}/{session['id']}/cancel", json={})
    assert changed.status_code == 404


async def test_a_session_of_another_organization_is_answered_as_missing(server):
    world = await program(server)
    session = await scheduled(world.coach, world, hours_from_now(40))
    elsewhere = await organization_with((world.coach.id, "Coach"))
    acting_in(world.coach, elsewhere)
    response = await world.coach.client.get(f"{SESSIONS}/{session['id']}")
    assert response.status_code == 404
    listed = await world.coach.client.get(SESSIONS)
    assert listed.status_code == 200 and listed.json()["data"] == []
