"""Invitations to an organization (SPEC §5), from the organization's side: invite, list,
revoke, send again. Accepting one is app/invites/acceptance.py.

An invite's token is random and only its SHA-256 is stored; the token exists in the
email alone, staged in the same unit of work as the row (outbox). A newer invite to the
same address replaces the pending one, and sending an invite again gives it a new token:
either way the earlier link stops working. Invite emails to one address are bounded
(docs/invites.md): nobody turns an organization into a way of flooding a mailbox.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from app.core import errors
from app.core.callbacks import Callback, check_callback_url
from app.core.live_events import Audience, publish
from app.core.membership import NO_SUCH_ORGANIZATION, live_organization
from app.core.pagination import Page, Paginator
from app.core.policy import Actor, may_grant_organization_role
from app.core.roles import Role
from app.core.scoping import get_scoped_or_404, scoped
from app.core.settings import OrganizationSettings
from app.core.text import unlinkable
from app.core.tokens import hash_token, new_token
from app.core.unit_of_work import UnitOfWork, UnitsOfWork
from app.invites.mail_bounds import InviteMailBounds
from app.invites.schemas import InviteCreate, InvitePublic, InviteQuery, InviteStatusName
from app.outbox.staging import stage_email
from models import Invite, Organization, OrganizationUser, User
from models.invites import InviteStatus
from models.organizations import MembershipStatus

ACCEPT_PAGE = "/accept-invite"


def status_of(invite: Invite, now: datetime) -> InviteStatusName:
    """The stored status, except that a pending invite past its expiry shows as `expired`."""
    if invite.status == InviteStatus.PENDING and invite.expires_at <= now:
        return "expired"
    return InviteStatus(invite.status).value


# invites (and their addresses) are the business of Managers and above, as their list is
INVITE_AUDIENCE = Audience.members(min_role=Role.MANAGER)


def public(invite: Invite, now: datetime) -> InvitePublic:
    return InvitePublic(
        id=invite.id,
        organization_id=invite.organization_id,
        email=invite.email,
        role=invite.role,
        status=status_of(invite, now),
        invited_by_id=invite.invited_by_id,
        expires_at=invite.expires_at,
        accepted_at=invite.accepted_at,
        accepted_by_id=invite.accepted_by_id,
        revoked_at=invite.revoked_at,
        resent_count=invite.resent_count,
        created_at=invite.created_at,
    )


class InviteService:
    """Built at start-up (app.capabilities) with what it uses: the organizations settings
    (expiry, bounds on invite emails), the web app's URL and the trusted origins for the
    emailed link, the paginator and the units of work."""

    def __init__(
        self,
        *,
        organizations: OrganizationSettings,
        app_url: str,
        callback_origins: tuple[str, ...],
        paginator: Paginator,
        units: UnitsOfWork,
    ) -> None:
        self.settings = organizations
        self.mail_bounds = InviteMailBounds(organizations)
        self.app_url = app_url
        self.callback_origins = callback_origins
        self.paginator = paginator
        self.units = units

    def callback(self, callback_url: str | None) -> Callback:
        """Where the emailed link leads: the client's callback_url (400 unless on a trusted
        origin), else the web app's accept page; checked by the one rule (app.core.callbacks)."""
        return check_callback_url(
            callback_url or self.app_url.rstrip("/") + ACCEPT_PAGE, self.callback_origins
        )

    async def create(
        self, actor: Actor, organization_id: UUID, data: InviteCreate, *, callback: Callback
    ) -> InvitePublic:
        """Invite `data.email` with `data.role` (403 above the actor's own role); 409 for an
        address that is already an active member; replaces a pending invite to it."""
        role = Role(data.role)
        if not may_grant_organization_role(actor, role):
            raise errors.Forbidden(f"You may not invite someone as {role}: it is above your own role")
        now = datetime.now(UTC)
        async with self.units() as work:
            # invites of one organization one at a time: two concurrent invites to one address
            # would otherwise each find no pending invite to replace, and both stay pending
            organization = await live_organization(organization_id, for_update=True)
            if organization is None:
                raise errors.NotFound(NO_SUCH_ORGANIZATION)
            if await OrganizationUser.filter(
                organization_id=organization_id, user__email=data.email, status=MembershipStatus.ACTIVE
            ).exists():
                raise errors.Conflict("This address belongs to a member of the organization already")
            await self.mail_bounds.check_new_invite(organization_id, data.email, now)
            for earlier in await scoped(Invite, organization_id).filter(
                email=data.email, status=InviteStatus.PENDING
            ):
                earlier.status = InviteStatus.REPLACED
                await earlier.save(update_fields=["status", "updated_at"])
                work.audit(
                    "invite.replaced",
                    target=("invite", earlier.id),
                    organization_id=organization_id,
                    changed_fields=["status"],
                )
                publish(
                    work, "invite.replaced", organization_id, public(earlier, now), audience=INVITE_AUDIENCE
                )
            token = new_token()
            invite = await Invite.create(
                organization_id=organization_id,
                email=data.email,
                role=role.value,
                token_hash=hash_token(token),
                invited_by_id=actor.user_id,
                expires_at=now + timedelta(seconds=self.settings.invite_ttl_seconds),
            )
            await self._stage_email(work, invite, token, organization, actor, callback)
            work.audit(
                "invite.created",
                target=("invite", invite.id),
                organization_id=organization_id,
                changed_fields=["email", "role"],
            )
            created = public(invite, now)
            publish(work, "invite.created", organization_id, created, audience=INVITE_AUDIENCE)
        return created

    async def list(self, organization_id: UUID, query: InviteQuery) -> Page[InvitePublic]:
        """The organization's invites, newest first; `expired` is a pending one past its expiry."""
        now = datetime.now(UTC)
        invites = scoped(Invite, organization_id)
        if query.status == "expired":
            invites = invites.filter(status=InviteStatus.PENDING, expires_at__lte=now)
        elif query.status == "pending":
            invites = invites.filter(status=InviteStatus.PENDING, expires_at__gt=now)
        elif query.status is not None:
            invites = invites.filter(status=query.status)
        return await self.paginator.paginate(
            invites,
            query,
            scope=f"invites:{organization_id}:{query.status}",
            to_item=lambda invite: public(invite, now),
        )

    async def get(self, organization_id: UUID, invite_id: UUID) -> InvitePublic:
        return public(await get_scoped_or_404(Invite, organization_id, invite_id), datetime.now(UTC))

    async def revoke(self, actor: Actor, organization_id: UUID, invite_id: UUID) -> InvitePublic:
        """The invite's link stops working. Only a pending invite (expired or not; 422 else)."""
        now = datetime.now(UTC)
        async with self.units() as work:
            invite = await self._pending(actor, organization_id, invite_id, doing="revoked")
            invite.status = InviteStatus.REVOKED
            invite.revoked_at = now
            await invite.save(update_fields=["status", "revoked_at", "updated_at"])
            work.audit(
                "invite.revoked",
                target=("invite", invite.id),
                organization_id=organization_id,
                changed_fields=["status", "revoked_at"],
            )
            revoked = public(invite, now)
            publish(work, "invite.revoked", organization_id, revoked, audience=INVITE_AUDIENCE)
        return revoked

    async def resend(
        self, actor: Actor, organization_id: UUID, invite_id: UUID, *, callback: Callback
    ) -> InvitePublic:
        """Email the invite again with a new token and a new expiry (the earlier link stops
        working); an expired pending invite comes back to life. Bounded: 422 past
        `invite_max_resends`, 429 within `invite_send_interval_seconds` of the last email."""
        now = datetime.now(UTC)
        async with self.units() as work:
            invite = await self._pending(actor, organization_id, invite_id, doing="sent again")
            if invite.resent_count >= self.settings.invite_max_resends:
                raise errors.BusinessRuleViolated(
                    f"This invite was sent again {invite.resent_count} times, the most allowed; "
                    "revoke it and invite the address anew"
                )
            self.mail_bounds.check_interval(invite, now)
            organization = await live_organization(organization_id)
            if organization is None:
                raise errors.NotFound(NO_SUCH_ORGANIZATION)
            token = new_token()
            invite.token_hash = hash_token(token)
            invite.expires_at = now + timedelta(seconds=self.settings.invite_ttl_seconds)
            invite.resent_count += 1
            await invite.save(update_fields=["token_hash", "expires_at", "resent_count", "updated_at"])
            await self._stage_email(work, invite, token, organization, actor, callback)
            work.audit(
                "invite.resent",
                target=("invite", invite.id),
                organization_id=organization_id,
                changed_fields=["token_hash", "expires_at", "resent_count"],
            )
            resent = public(invite, now)
            publish(work, "invite.resent", organization_id, resent, audience=INVITE_AUDIENCE)
        return resent

    async def _pending(self, actor: Actor, organization_id: UUID, invite_id: UUID, *, doing: str) -> Invite:
        """The invite, locked; 404 outside the organization, 403 for an invite to a role
        above the actor's own (they could not have made it), 422 unless pending."""
        invite = await get_scoped_or_404(Invite, organization_id, invite_id, for_update=True)
        if not may_grant_organization_role(actor, Role(invite.role)):
            raise errors.Forbidden(f"This invite is for the role {invite.role}, above your own")
        if invite.status != InviteStatus.PENDING:
            raise errors.BusinessRuleViolated(
                f"This invite is {invite.status}: only a pending one can be {doing}"
            )
        return invite

    async def _stage_email(
        self,
        work: UnitOfWork,
        invite: Invite,
        token: str,
        organization: Organization,
        actor: Actor,
        callback: Callback,
    ) -> None:
        inviter = await User.get(id=actor.user_id)
        await stage_email(
            work,
            "invite",
            to=invite.email,
            context={
                # names chosen by one person and read by another, in an email from us: shown
                # so that no mail client turns them into links (app.core.text.unlinkable);
                # HTML escaping and one-line values are the renderer's (app.emails.render)
                "inviter_name": unlinkable(inviter.name),
                "organization_name": unlinkable(organization.name),
                "role": invite.role,
                "link": callback.link(token),
                "expires_in": _duration(self.settings.invite_ttl_seconds),
            },
        )


def _duration(seconds: int) -> str:
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"
