"""SPEC §5 GET /admin/metrics: platform figures for PlatformAdmins, counted now."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis as redis_sync

from models import AuditEvent, CoachingSession, Invite, Mentorship, Organization, OutboxMessage, User
from tests.factories import organization_with, sign_up, signed_in_user, signed_in_with_global_role
from tests.problems import assert_problem

pytestmark = pytest.mark.many_sign_ins


async def figures(admin) -> dict:  # type: ignore[no-untyped-def]
    response = await admin.client.get("/api/v1/admin/metrics")
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def test_metrics_are_for_platform_admins_only(server):
    person = await signed_in_user(server)
    assert_problem(await person.client.get("/api/v1/admin/metrics"), 403, "FORBIDDEN")
    assert_problem(await server.client.get("/api/v1/admin/metrics"), 401, "UNAUTHENTICATED")


async def test_metrics_counts_follow_the_data(server, redis_url):
    admin = await signed_in_with_global_role(server, "PlatformAdmin")
    before = await figures(admin)
    assert before["users"] == {"active": 1, "disabled": 0, "erased": 0}
    assert before["organizations"] == {"live": 0, "deleted": 0}
    assert (before["memberships"], before["pending_invites"]) == (0, 0)
    assert before["active_mentorships"] == 0
    assert before["sessions_this_week"] == 0
    assert before["failed_jobs"] == 0
    assert before["audit_events_today"] == 1  # the admin's sign-in

    member = await sign_up(server.client)
    disabled = await sign_up(server.client)
    await User.filter(id=disabled["id"]).update(disabled=True)
    live = await organization_with((member["id"], "Coach"), (admin.id, "Manager"))
    gone = await organization_with()
    await Organization.filter(id=gone.id).update(deleted_at=datetime.now(UTC))
    now = datetime.now(UTC)
    for status, expires_at in [
        ("pending", now + timedelta(days=1)),
        ("pending", now - timedelta(days=1)),
        ("accepted", now + timedelta(days=1)),
    ]:
        await Invite.create(
            organization_id=live.id,
            email=f"{uuid.uuid4().hex}@example.com",
            role="Coach",
            token_hash=uuid.uuid4().hex,
            status=status,
            expires_at=expires_at,
        )
    # active ones count, in live organizations only
    for organization, status in [(live, "active"), (live, "paused"), (live, "ended"), (gone, "active")]:
        await Mentorship.create(
            organization_id=organization.id, coach_id=uuid.uuid4(), teacher_id=uuid.uuid4(), status=status
        )
    # sessions starting this week count, but not a cancelled one, one next week or one of a
    # deleted organization
    monday = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=now.weekday())
    for organization, starts_at, status in [
        (live, monday + timedelta(hours=1), "completed"),
        (live, monday + timedelta(days=6, hours=23), "scheduled"),
        (live, monday + timedelta(days=2), "cancelled"),
        (live, monday + timedelta(days=7), "scheduled"),
        (gone, monday + timedelta(days=1), "scheduled"),
    ]:
        await CoachingSession.create(
            organization_id=organization.id,
            mentorship_id=uuid.uuid4(),
            coach_id=uuid.uuid4(),
            teacher_id=uuid.uuid4(),
            title="A session",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=30),
            timezone="UTC",
            status=status,
        )
    # claimed far ahead, so that this server's relay leaves it waiting
    await OutboxMessage.create(actor="send_email", payload={}, claimed_until=now + timedelta(hours=1))
    await AuditEvent.filter(id__not_isnull=True).update(created_at=now - timedelta(days=2))
    dead_letters = redis_sync.Redis.from_url(redis_url)
    dead_letters.zadd("tandem:email.XQ", {"message-1": 1.0, "message-2": 2.0})
    dead_letters.close()

    after = await figures(admin)

    assert after["users"] == {"active": 2, "disabled": 1, "erased": 0}
    assert after["organizations"] == {"live": 1, "deleted": 1}
    assert (after["memberships"], after["pending_invites"]) == (2, 1)
    assert after["outbox"]["depth"] == 1
    assert after["outbox"]["oldest_age_seconds"] >= 0
    assert after["failed_jobs"] == 2
    assert after["audit_events_today"] == 0
    assert after["active_mentorships"] == 1
    assert after["sessions_this_week"] == 2
