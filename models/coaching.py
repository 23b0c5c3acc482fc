"""Coaching (SPEC §6): mentorships, their scheduled sessions (and series of them), notes,
goals and action items. Every row belongs to one organization (OrganizationOwnedModel),
and names the people it concerns by user id, so a participant test needs no join.

A coaching session is named so throughout (`CoachingSession`, table coaching_sessions):
"session" alone means a sign-in session (models.sessions)."""

from enum import StrEnum

from tortoise import fields

from models.base import OrganizationOwnedModel, TimestampedModel


class Visibility(StrEnum):
    """Who may read a piece of coaching content (app.core.policy.may_read decides)."""

    PRIVATE = "private"
    PARTICIPANTS = "participants"
    ORGANIZATION = "organization"


class MentorshipStatus(StrEnum):
    PENDING = "pending"  # proposed by a coach, waiting for the teacher
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class Mentorship(OrganizationOwnedModel):
    """A coach working with a coachee ("teacher"). At most one open (not ended) mentorship
    per pair and organization: a partial unique index in the migrations."""

    coach_id = fields.UUIDField()
    teacher_id = fields.UUIDField()
    status = fields.CharField(max_length=16, default=MentorshipStatus.PENDING.value)
    proposed_by_id = fields.UUIDField(null=True)
    accepted_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)
    end_reason = fields.CharField(max_length=500, null=True)

    class Meta:
        table = "mentorships"
        indexes = (("organization_id", "coach_id", "status"), ("organization_id", "teacher_id", "status"))


class CoachingSessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class SeriesFrequency(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"


class CoachingSessionSeries(OrganizationOwnedModel):
    """A weekly or biweekly run of sessions created in one call: each occurrence is a
    CoachingSession of its own (editable alone); the series keeps the local wall-clock
    time they were made from."""

    mentorship_id = fields.UUIDField()
    frequency = fields.CharField(max_length=16)
    occurrences = fields.IntField()
    timezone = fields.CharField(max_length=64)
    created_by_id = fields.UUIDField(null=True)

    class Meta:
        table = "coaching_session_series"


class CoachingSession(OrganizationOwnedModel):
    """A scheduled video session of a mentorship. Times are UTC; `timezone` is the
    organizer's IANA zone (for the calendar and for series). `coach_id`/`teacher_id` are
    the mentorship's at scheduling time, kept here for overlap and participant filters."""

    mentorship_id = fields.UUIDField()
    coach_id = fields.UUIDField()
    teacher_id = fields.UUIDField()
    title = fields.CharField(max_length=200)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    timezone = fields.CharField(max_length=64)
    status = fields.CharField(max_length=16, default=CoachingSessionStatus.SCHEDULED.value)
    location = fields.CharField(max_length=500, null=True)
    video_provider = fields.CharField(max_length=32, null=True)
    video_meeting_id = fields.CharField(max_length=128, null=True)
    join_url = fields.CharField(max_length=2000, null=True)
    organizer_id = fields.UUIDField(null=True)
    series_id = fields.UUIDField(null=True)
    series_index = fields.IntField(null=True)
    # iCalendar SEQUENCE: rises with every change a calendar shows
    sequence = fields.IntField(default=0)
    # the reason given with the latest cancellation or late change, and by whom
    reason = fields.CharField(max_length=500, null=True)
    reason_by_id = fields.UUIDField(null=True)
    cancelled_at = fields.DatetimeField(null=True)
    started_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "coaching_sessions"
        indexes = (
            ("organization_id", "created_at", "id"),
            ("organization_id", "coach_id", "created_at", "id"),
            ("organization_id", "teacher_id", "created_at", "id"),
            ("organization_id", "mentorship_id", "starts_at"),
            ("status", "starts_at"),
            ("series_id", "series_index"),
        )


class CoachingSessionSlot(TimestampedModel):
    """The time one participant spends in one session, for as long as the session holds
    that time (deleted when it is cancelled). On PostgreSQL an exclusion constraint
    forbids two overlapping slots of one user (half-open ranges), whatever organization
    the sessions are in: the database decides a race between two bookings."""

    session_id = fields.UUIDField(db_index=True)
    user_id = fields.UUIDField()
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()

    class Meta:
        table = "coaching_session_slots"
        indexes = (("user_id", "starts_at", "ends_at"),)


class SessionNote(OrganizationOwnedModel):
    session_id = fields.UUIDField()
    mentorship_id = fields.UUIDField()
    author_id = fields.UUIDField()
    body = fields.TextField()
    visibility = fields.CharField(max_length=16, default=Visibility.PARTICIPANTS.value)

    class Meta:
        table = "session_notes"
        indexes = (("organization_id", "session_id", "created_at", "id"),)


class GoalStatus(StrEnum):
    ACTIVE = "active"
    ACHIEVED = "achieved"
    ARCHIVED = "archived"


class Goal(OrganizationOwnedModel):
    """Owned by the teacher (coachee) of its mentorship."""

    mentorship_id = fields.UUIDField()
    owner_id = fields.UUIDField()
    created_by_id = fields.UUIDField(null=True)
    title = fields.CharField(max_length=200)
    description = fields.TextField(null=True)
    status = fields.CharField(max_length=16, default=GoalStatus.ACTIVE.value)
    target_date = fields.DateField(null=True)
    progress = fields.IntField(default=0)
    visibility = fields.CharField(max_length=16, default=Visibility.PARTICIPANTS.value)
    achieved_at = fields.DatetimeField(null=True)
    archived_at = fields.DatetimeField(null=True)

    class Meta:
        table = "goals"
        indexes = (("organization_id", "mentorship_id", "created_at", "id"), ("organization_id", "owner_id"))


class ActionItemStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class ActionItem(OrganizationOwnedModel):
    mentorship_id = fields.UUIDField()
    title = fields.CharField(max_length=200)
    assignee_id = fields.UUIDField()
    created_by_id = fields.UUIDField(null=True)
    due_at = fields.DatetimeField(null=True)
    status = fields.CharField(max_length=16, default=ActionItemStatus.OPEN.value)
    session_id = fields.UUIDField(null=True)
    goal_id = fields.UUIDField(null=True)
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "action_items"
        indexes = (
            ("organization_id", "mentorship_id", "created_at", "id"),
            ("organization_id", "assignee_id", "status"),
            ("organization_id", "session_id"),
            ("organization_id", "goal_id"),
        )
