"""Tortoise models, one module per aggregate. Imports nothing of ours beyond models/."""

from models.audit import AuditEvent
from models.calendar import CalendarFeed
from models.coaching import (
    ActionItem,
    ActionItemStatus,
    CoachingSession,
    CoachingSessionSeries,
    CoachingSessionSlot,
    CoachingSessionStatus,
    Goal,
    GoalStatus,
    Mentorship,
    MentorshipStatus,
    SessionNote,
)
from models.idempotency import IdempotencyRecord
from models.installation import Installation
from models.invites import Invite, InviteStatus
from models.mfa import RecoveryCode
from models.one_time_tokens import OneTimeToken
from models.organizations import Organization, OrganizationUser
from models.outbox import OutboxMessage
from models.reminders import SentReminder
from models.sessions import AuthSession, SpentRefreshToken
from models.sign_in_throttle import SignInThrottle
from models.users import User

__all__ = [
    "ActionItem",
    "ActionItemStatus",
    "AuditEvent",
    "AuthSession",
    "CalendarFeed",
    "CoachingSession",
    "CoachingSessionSeries",
    "CoachingSessionSlot",
    "CoachingSessionStatus",
    "Goal",
    "GoalStatus",
    "IdempotencyRecord",
    "Installation",
    "Invite",
    "InviteStatus",
    "Mentorship",
    "MentorshipStatus",
    "OneTimeToken",
    "Organization",
    "OrganizationUser",
    "OutboxMessage",
    "RecoveryCode",
    "SentReminder",
    "SessionNote",
    "SignInThrottle",
    "SpentRefreshToken",
    "User",
]
MODEL_MODULES = [
    "models.users",
    "models.sessions",
    "models.organizations",
    "models.one_time_tokens",
    "models.outbox",
    "models.mfa",
    "models.sign_in_throttle",
    "models.installation",
    "models.invites",
    "models.audit",
    "models.idempotency",
    "models.coaching",
    "models.calendar",
    "models.reminders",
]
