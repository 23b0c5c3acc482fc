"""The bounds on invite email to one address (docs/invites.md): anyone can make an
organization and invite anyone, so what one mailbox receives is bounded per organization
and over all of them, and each invite's resends are spaced out."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from app.core import errors
from app.core.scoping import scoped, unscoped
from app.core.settings import OrganizationSettings
from models import Invite

DAY = timedelta(days=1)


class InviteMailBounds:
    def __init__(self, settings: OrganizationSettings) -> None:
        self.settings = settings

    def last_sent_at(self, invite: Invite) -> datetime:
        # every email of an invite sets its expiry to then + the TTL
        return invite.expires_at - timedelta(seconds=self.settings.invite_ttl_seconds)

    def check_interval(self, latest: Invite, now: datetime) -> None:
        """429 while the last invite email to this address is more recent than the interval."""
        wait = self.last_sent_at(latest) + timedelta(seconds=self.settings.invite_send_interval_seconds) - now
        if wait.total_seconds() > 0:
            raise errors.RateLimited.after(
                wait.total_seconds(), "An invite email went to this address moments ago; retry later"
            )

    async def check_new_invite(self, organization_id: UUID, email: str, now: datetime) -> None:
        """The bounds on invite emails to one address from one organization (docs/invites.md):
        the interval since the last one, and new invites in the last 24 hours."""
        to_address = scoped(Invite, organization_id).filter(email=email)
        latest = await to_address.order_by("-expires_at").first()
        if latest is not None:
            self.check_interval(latest, now)
        today = (
            await to_address.filter(created_at__gt=now - DAY)
            .order_by("created_at")
            .limit(self.settings.invites_per_address_per_day)
            .values_list("created_at", flat=True)
        )
        if len(today) >= self.settings.invites_per_address_per_day:
            _too_many_today(len(today), oldest=today[0], now=now)
        # one account may create many organizations (self-service) and invite the same
        # address from each: mail to one mailbox is bounded over all of them as well
        everywhere = (
            await unscoped(Invite, reason="mail to one address is bounded over every organization")
            .filter(email=email, created_at__gt=now - DAY)
            .order_by("created_at")
            .limit(self.settings.invites_per_address_per_day_everywhere)
            .values_list("created_at", flat=True)
        )
        if len(everywhere) >= self.settings.invites_per_address_per_day_everywhere:
            _too_many_today(len(everywhere), oldest=everywhere[0], now=now)


def _too_many_today(count: int, *, oldest: datetime, now: datetime) -> None:
    wait = oldest + DAY - now
    raise errors.RateLimited.after(
        wait.total_seconds(),
        f"This address was invited {count} times in the last 24 hours, the most allowed; retry later",
    )
