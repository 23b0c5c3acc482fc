"""Coaching rows made through the models, for tests whose subject is not how they are made
(notes, the calendar feed, reminders): the sessions API has tests of its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from models import CoachingSession, Mentorship, Organization
from models.coaching import MentorshipStatus


async def open_mentorship(organization: Organization, coach_id: str, teacher_id: str) -> Mentorship:
    return await Mentorship.create(
        organization_id=organization.id,
        coach_id=UUID(coach_id),
        teacher_id=UUID(teacher_id),
        status=MentorshipStatus.ACTIVE.value,
        accepted_at=datetime.now(UTC),
    )


async def session_of(mentorship: Mentorship, **fields: Any) -> CoachingSession:
    """A scheduled hour-long session of the mentorship, two days from now unless told."""
    starts_at = fields.pop("starts_at", datetime.now(UTC).replace(microsecond=0) + timedelta(days=2))
    values: dict[str, Any] = {
        "organization_id": mentorship.organization_id,
        "mentorship_id": mentorship.id,
        "coach_id": mentorship.coach_id,
        "teacher_id": mentorship.teacher_id,
        "title": "Weekly check-in",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=1),
        "timezone": "Europe/Paris",
        **fields,
    }
    return await CoachingSession.create(**values)
