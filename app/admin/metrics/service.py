"""Platform figures for administrators (SPEC §5, GET /admin/metrics): a handful of counts,
each one query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.expressions import Subquery

from app.admin.metrics.schemas import (
    OrganizationCounts,
    OutboxFigures,
    PlatformMetrics,
    UserCounts,
)
from app.core import queues
from app.core.scoping import unscoped
from models import (
    AuditEvent,
    CoachingSession,
    CoachingSessionStatus,
    Invite,
    InviteStatus,
    Mentorship,
    MentorshipStatus,
    Organization,
    OrganizationUser,
    User,
)
from models.organizations import MembershipStatus


class PlatformMetricsService:
    """Built at start-up (app.capabilities) with a blocking read of the broker's queue
    lengths (app.core.queues)."""

    def __init__(self, *, read_broker_depths: queues.ReadDepths) -> None:
        self.read_broker_depths = read_broker_depths

    async def snapshot(self) -> PlatformMetrics:
        now = datetime.now(UTC)
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        live_users = User.filter(deleted_at=None)
        backlog = await queues.outbox_backlog()
        depths = await queues.broker_depths(self.read_broker_depths)
        pending_invites = unscoped(Invite, reason="platform-wide count for administrators").filter(
            status=InviteStatus.PENDING, expires_at__gt=now
        )
        live_organizations = Organization.filter(deleted_at=None)
        active_mentorships = unscoped(Mentorship, reason="platform-wide count for administrators").filter(
            status=MentorshipStatus.ACTIVE, organization_id__in=Subquery(live_organizations.values("id"))
        )
        # this ISO week (from Monday 00:00 UTC), cancelled ones not counted
        week_start = midnight - timedelta(days=midnight.weekday())
        sessions_this_week = unscoped(
            CoachingSession, reason="platform-wide count for administrators"
        ).filter(
            starts_at__gte=week_start,
            starts_at__lt=week_start + timedelta(days=7),
            status__not=CoachingSessionStatus.CANCELLED,
            organization_id__in=Subquery(live_organizations.values("id")),
        )
        return PlatformMetrics(
            generated_at=now,
            users=UserCounts(
                active=await live_users.filter(disabled=False).count(),
                disabled=await live_users.filter(disabled=True).count(),
                erased=await User.filter(deleted_at__isnull=False).count(),
            ),
            organizations=OrganizationCounts(
                live=await live_organizations.count(),
                deleted=await Organization.filter(deleted_at__isnull=False).count(),
            ),
            memberships=await OrganizationUser.filter(
                status=MembershipStatus.ACTIVE, organization__deleted_at=None
            ).count(),
            pending_invites=await pending_invites.count(),
            active_mentorships=await active_mentorships.count(),
            sessions_this_week=await sessions_this_week.count(),
            outbox=OutboxFigures(depth=backlog.depth, oldest_age_seconds=backlog.oldest_age_seconds),
            failed_jobs=None if depths is None else queues.dead_letters(depths),
            audit_events_today=await AuditEvent.filter(created_at__gte=midnight).count(),
        )
