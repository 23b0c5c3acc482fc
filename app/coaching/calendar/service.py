"""Per-user calendar feeds (SPEC §6): issue, revoke, and read one by its token.

The token is 32 random bytes (app.core.tokens) in the feed's URL, stored only as its
SHA-256: SPEC §6 asks for a "signed" URL, and a random token looked up by its hash is the
stronger form of it (nothing to forge, nothing that a leaked database or secret key
would let anyone mint, and it can be revoked one by one). A user has at most one working
feed: issuing one revokes the one before, so a leaked URL is cut off by regenerating it.

What a feed shows: the sessions its user takes part in (as coach or coachee) in the
organizations they are an active member of now (leaving an organization takes its
sessions out of the feed), from FEED_PAST_DAYS ago to as far ahead as sessions may be
scheduled (settings.coaching.max_schedule_ahead_days), at most FEED_MAX_SESSIONS of them
(upcoming ones first: a full feed drops its oldest past sessions).
Cancelled sessions stay, as cancelled. A disabled or deleted account's feed is gone.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from app.coaching.calendar.ical import session_calendar
from app.coaching.calendar.schemas import CalendarFeedStatus
from app.core import errors
from app.core.membership import active_organization_ids
from app.core.scoping import unscoped
from app.core.settings import CoachingSettings
from app.core.tokens import hash_token, new_token
from app.core.unit_of_work import UnitsOfWork
from models import CalendarFeed, CoachingSession, User

FEED_PAST_DAYS = 90
FEED_MAX_SESSIONS = 2_000
# a feed read within this long of the last recorded read is not recorded again (calendar
# apps poll; one write per poll would be a write per app per few minutes for nothing)
LAST_USED_RESOLUTION = timedelta(minutes=5)
NO_SUCH_FEED = "No such calendar feed"
# feeds kept rendered per process: building a full feed costs about a second of CPU, and
# calendar apps ask again every few minutes for what has mostly not changed
RENDERED_FEEDS_KEPT = 256


@dataclass(frozen=True, slots=True)
class IssuedFeed:
    token: str
    created_at: datetime


class CalendarFeeds:
    def __init__(self, *, coaching: CoachingSettings, units: UnitsOfWork) -> None:
        self.coaching = coaching
        self.units = units
        # feed id → (what it was built from, the document)
        self._rendered: OrderedDict[UUID, tuple[tuple[object, ...], bytes]] = OrderedDict()

    async def issue(self, user_id: UUID) -> IssuedFeed:
        """A new feed for the user; the one before, if any, stops working."""
        now = datetime.now(UTC)
        async with self.units() as work:
            # one user's feed changes one at a time: two concurrent regenerations must not
            # leave two working feeds
            await User.filter(id=user_id).select_for_update().first()
            revoked = await self._revoke_active(user_id, now)
            for feed_id in revoked:
                work.audit(
                    "calendar_feed.revoked", target=("calendar_feed", feed_id), changed_fields=["revoked_at"]
                )
            token = new_token()
            feed = await CalendarFeed.create(user_id=user_id, token_hash=hash_token(token))
            work.audit(
                "calendar_feed.regenerated" if revoked else "calendar_feed.created",
                target=("calendar_feed", feed.id),
                changed_fields=["token_hash"],
            )
        return IssuedFeed(token=token, created_at=feed.created_at)

    async def revoke(self, user_id: UUID) -> None:
        """The user's feed stops working; 404 when none works now."""
        now = datetime.now(UTC)
        async with self.units() as work:
            await User.filter(id=user_id).select_for_update().first()
            revoked = await self._revoke_active(user_id, now)
            if not revoked:
                raise errors.NotFound("No active calendar feed")
            for feed_id in revoked:
                work.audit(
                    "calendar_feed.revoked", target=("calendar_feed", feed_id), changed_fields=["revoked_at"]
                )

    async def status(self, user_id: UUID) -> CalendarFeedStatus:
        feed = await CalendarFeed.filter(user_id=user_id, revoked_at=None).order_by("-created_at").first()
        if feed is None:
            return CalendarFeedStatus(active=False, created_at=None, last_used_at=None)
        return CalendarFeedStatus(active=True, created_at=feed.created_at, last_used_at=feed.last_used_at)

    async def render(self, token: str, *, now: datetime | None = None) -> bytes:
        """The iCalendar document of the feed with this token; 404 for a token that is
        unknown or revoked, or whose user is disabled or deleted (the same answer: it
        tells nothing about whether the user exists)."""
        now = now or datetime.now(UTC)
        feed = await CalendarFeed.filter(token_hash=hash_token(token), revoked_at=None).first()
        if feed is None or not await User.filter(id=feed.user_id, disabled=False, deleted_at=None).exists():
            raise errors.NotFound(NO_SUCH_FEED)
        if feed.last_used_at is None or now - feed.last_used_at >= LAST_USED_RESOLUTION:
            await CalendarFeed.filter(id=feed.id).update(last_used_at=now)
        first = now - timedelta(days=FEED_PAST_DAYS)
        last = now + timedelta(days=self.coaching.max_schedule_ahead_days + 1)
        organization_ids = await active_organization_ids(feed.user_id)
        mine = _sessions_of(feed.user_id, organization_ids, first, last)
        # the same sessions, unchanged since the last build (a change moves updated_at, one
        # more or fewer moves the count), in the same organizations: the same document
        latest = await mine.order_by("-updated_at").first().values_list("updated_at", flat=True)
        count = await mine.count()
        built_from = (sorted(map(str, organization_ids)), count, latest, first.date())
        kept = self._rendered.get(feed.id)
        # a full feed's choice of sessions moves with the clock (upcoming ones first): built anew
        if kept is not None and kept[0] == built_from and count <= FEED_MAX_SESSIONS:
            self._rendered.move_to_end(feed.id)
            return kept[1]
        sessions = await self._sessions(mine, now=now)
        document = session_calendar(
            sessions, first_date=first.date(), last_date=last.date() + timedelta(days=1)
        )
        self._rendered[feed.id] = (built_from, document)
        self._rendered.move_to_end(feed.id)
        while len(self._rendered) > RENDERED_FEEDS_KEPT:
            self._rendered.popitem(last=False)
        return document

    @staticmethod
    async def _sessions(mine: QuerySet[CoachingSession], *, now: datetime) -> list[CoachingSession]:
        """At most FEED_MAX_SESSIONS, soonest first: those not over yet come first, and
        past ones fill what room is left, newest first (a full feed drops the oldest past
        sessions, never the next ones)."""
        coming = await mine.filter(ends_at__gt=now).order_by("starts_at", "id").limit(FEED_MAX_SESSIONS)
        room = FEED_MAX_SESSIONS - len(coming)
        past = await mine.filter(ends_at__lte=now).order_by("-starts_at", "-id").limit(room) if room else []
        return [*reversed(past), *coming]

    @staticmethod
    async def _revoke_active(user_id: UUID, now: datetime) -> list[UUID]:
        active = await CalendarFeed.filter(user_id=user_id, revoked_at=None).values_list("id", flat=True)
        if active:
            await CalendarFeed.filter(id__in=active).update(revoked_at=now)
        return [UUID(str(feed_id)) for feed_id in active]


def _sessions_of(
    user_id: UUID, organization_ids: list[UUID], first: datetime, last: datetime
) -> QuerySet[CoachingSession]:
    """The sessions the user takes part in, in these organizations, starting in [first, last)."""
    return unscoped(CoachingSession, reason="the feed's own user's sessions, in their organizations").filter(
        Q(coach_id=user_id) | Q(teacher_id=user_id),
        organization_id__in=organization_ids,
        starts_at__gte=first,
        starts_at__lt=last,
    )
