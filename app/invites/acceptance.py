"""Accepting an invite (SPEC §5): by a signed-in user whose verified email is the invite's,
or at sign-up (app.auth.service), where the invite proves the new account's address.

The invite row is locked while it is accepted, so of two concurrent accepts one joins and
the other finds it accepted (409). A membership the user once had and lost (`removed`)
is made active again with the invite's role.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery

from app.core import errors
from app.core.live_events import Audience, publish
from app.core.member_events import member_data, publish_member_event
from app.core.membership import live_organization, resolve_membership
from app.core.pagination import Page, PageQuery, Paginator
from app.core.policy import Actor, may_grant_organization_role
from app.core.roles import Role
from app.core.scoping import unscoped
from app.core.session_effects import refresh_user
from app.core.tokens import hash_token
from app.core.unit_of_work import UnitOfWork, UnitsOfWork
from app.invites.schemas import InviteAccepted, MyInvite
from app.invites.service import public
from models import Invite, Organization, OrganizationUser, User
from models.invites import InviteStatus
from models.organizations import MembershipStatus

OTHER_ADDRESS = (
    "This invite was sent to another email address: sign in with the account that uses it, or sign up with it"
)
UNVERIFIED = "Verify your email address first: an invite is accepted by the owner of its address"


class InviteAcceptance:
    """Built at start-up (app.capabilities) with the paginator and the units of work."""

    def __init__(self, *, paginator: Paginator, units: UnitsOfWork) -> None:
        self.paginator = paginator
        self.units = units

    async def accept(self, user_id: UUID, token: str) -> InviteAccepted:
        """Join the invite's organization with its role. 422 for a token that is unknown,
        revoked, replaced or expired; 403 unless the user's verified email is the invite's
        (nothing changes); 409 when already accepted or already a member."""
        async with self.units() as work:
            invite = await self.find_for_update(token)
            user = await User.get(id=user_id)
            if user.email_verified_at is None:
                raise errors.Forbidden(UNVERIFIED)
            if user.email != invite.email:
                raise errors.Forbidden(OTHER_ADDRESS)
            if invite.status == InviteStatus.ACCEPTED:
                raise errors.Conflict("This invite was accepted already")
            return await self.join(work, invite, user)

    async def pending_for_sign_up(self, token: str, *, email: str) -> Invite:
        """The pending invite a sign-up names, locked until its unit of work ends; 422 unless
        pending and unexpired, 403 unless it was sent to the sign-up's email."""
        invite = await self.find_for_update(token)
        if invite.status != InviteStatus.PENDING:
            raise errors.InvalidToken()
        if invite.email != email:
            raise errors.Forbidden(OTHER_ADDRESS)
        return invite

    async def find_for_update(self, token: str) -> Invite:
        """The invite of this token, locked: pending and unexpired, or accepted (the caller
        tells that apart); any other is InvalidToken, alike."""
        invite = (
            await unscoped(Invite, reason="the emailed token is itself the proof of access")
            .filter(token_hash=hash_token(token))
            .select_for_update()
            .first()
        )
        if invite is None or invite.status in (InviteStatus.REVOKED, InviteStatus.REPLACED):
            raise errors.InvalidToken()
        if invite.status == InviteStatus.PENDING and invite.expires_at <= datetime.now(UTC):
            raise errors.InvalidToken()
        return invite

    async def join(self, work: UnitOfWork, invite: Invite, user: User) -> InviteAccepted:
        """In `work`: the membership, the invite accepted, the current organization set when
        the user has none. The user is the one acting (sign-up has no signed-in user yet)."""
        organization = await live_organization(invite.organization_id)
        if organization is None:
            raise errors.InvalidToken()  # the organization was deleted: its invites died with it
        if not await _inviter_may_still_grant(invite):
            raise errors.InvalidToken()
        membership = await self._become_member(invite, user)
        now = datetime.now(UTC)
        invite.status = InviteStatus.ACCEPTED
        invite.accepted_at = now
        invite.accepted_by_id = user.id
        await invite.save(update_fields=["status", "accepted_at", "accepted_by_id", "updated_at"])
        if user.current_organization_id is None:
            user.current_organization_id = organization.id
            await user.save(update_fields=["current_organization_id", "updated_at"])
        refresh_user(work, user.id)
        work.audit(
            "invite.accepted",
            target=("invite", invite.id),
            organization_id=organization.id,
            changed_fields=["status", "accepted_at", "accepted_by_id"],
            actor_id=user.id,
        )
        work.audit(
            "member.joined",
            target=("user", user.id),
            organization_id=organization.id,
            changed_fields=["role", "status"],
            actor_id=user.id,
        )
        accepted = public(invite, now)
        audience = Audience.members(min_role=Role.MANAGER, also=(user.id,))
        publish(work, "invite.accepted", organization.id, accepted, audience=audience)
        publish_member_event(work, "member.joined", organization.id, user.id, member_data(user, membership))
        return InviteAccepted(
            organization_id=organization.id,
            organization_name=organization.name,
            role_in_organization=invite.role,
            current_organization_id=user.current_organization_id,
        )

    @staticmethod
    async def _become_member(invite: Invite, user: User) -> OrganizationUser:
        membership = (
            await OrganizationUser.filter(organization_id=invite.organization_id, user_id=user.id)
            .select_for_update()
            .first()
        )
        if membership is None:
            try:
                return await OrganizationUser.create(
                    organization_id=invite.organization_id, user_id=user.id, role_in_organization=invite.role
                )
            except IntegrityError:
                # joined meanwhile by another way in (the transaction rolls back)
                raise errors.Conflict("You are a member of this organization already") from None
        elif membership.status == MembershipStatus.ACTIVE:
            raise errors.Conflict("You are a member of this organization already")
        elif membership.status == MembershipStatus.SUSPENDED:
            raise errors.Conflict("Your membership of this organization is suspended: ask its administrators")
        else:  # removed earlier: the invite lets them back in, with its role
            membership.status = MembershipStatus.ACTIVE
            membership.role_in_organization = invite.role
            await membership.save(update_fields=["status", "role_in_organization", "updated_at"])
            return membership

    async def mine(self, user_id: UUID, page: PageQuery) -> Page[MyInvite]:
        """My pending, unexpired invites across organizations; none until my email is
        verified: else anyone could sign up with someone else's address and read theirs."""
        user = await User.get(id=user_id)
        invites = unscoped(Invite, reason="bounded by the caller's own verified address").filter(
            email=user.email,
            status=InviteStatus.PENDING,
            expires_at__gt=datetime.now(UTC),
            organization_id__in=Subquery(Organization.filter(deleted_at=None).values("id")),
        )
        if user.email_verified_at is None:
            invites = invites.filter(id__in=[])  # no rows, paginated like any other list
        found = await self.paginator.paginate(
            invites,
            page,
            scope=f"my-invites:{user_id}",
            to_item=lambda invite: MyInvite(
                id=invite.id,
                organization_id=invite.organization_id,
                organization_name="",  # filled in below, for the page's organizations at once
                role=invite.role,
                expires_at=invite.expires_at,
                created_at=invite.created_at,
            ),
        )
        names = dict(
            await Organization.filter(id__in=[item.organization_id for item in found.items]).values_list(
                "id", "name"
            )
        )
        items = [
            item.model_copy(update={"organization_name": names[item.organization_id]}) for item in found.items
        ]
        return Page(items, found.total_count, found.limit, found.next_cursor)


async def _inviter_may_still_grant(invite: Invite) -> bool:
    """An invite is worth what its inviter may grant now, not when they sent it: a member
    removed (or demoted, disabled, erased) since must not get back in, or place someone
    above their new role, through an invite sent to their other address beforehand."""
    if invite.invited_by_id is None:
        return True  # made by the system, not on a member's authority
    inviter = await User.get_or_none(id=invite.invited_by_id)
    if inviter is None or inviter.disabled or inviter.deleted_at is not None:
        return False
    membership = await resolve_membership(
        organization_id=invite.organization_id, user_id=inviter.id, global_role=inviter.global_role
    )
    if membership is None:
        return False
    actor = Actor(inviter.id, inviter.global_role, membership[1])
    return may_grant_organization_role(actor, Role(invite.role))
