"""What a signed-in user does with their own account (SPEC §3): settings, current
organization, export, erasure. Every function acts on the caller's own user only."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from uuid import UUID

from app.auth import lockout, session_effects
from app.auth.passwords import PasswordHashing
from app.auth.reauthentication import confirm_password
from app.auth.sessions import SessionStore
from app.core import errors, policy
from app.core.audit import AuditEventPublic
from app.core.membership import (
    NO_SUCH_ORGANIZATION,
    active_admin_count,
    live_organization,
    resolve_membership,
)
from app.core.roles import Role
from app.core.session_effects import refresh_user
from app.core.settings import AccountSettings
from app.core.unit_of_work import UnitsOfWork
from app.me.schemas import (
    EXPORTED_AUDIT_EVENTS,
    AccountExport,
    ExportedMembership,
    ExportedSession,
    MeUpdate,
)
from app.users.owners import is_last_owner
from app.users.schemas import UserPublic
from models import AuditEvent, AuthSession, OneTimeToken, OrganizationUser, RecoveryCode, User
from models.organizations import MembershipStatus

DELETED_NAME = "Deleted user"


class AccountService:
    """Built at start-up (app.capabilities) with what it uses: the accounts settings,
    password hashing, the session store and the units of work."""

    def __init__(
        self,
        *,
        accounts: AccountSettings,
        passwords: PasswordHashing,
        sessions: SessionStore,
        units: UnitsOfWork,
    ) -> None:
        self.accounts = accounts
        self.passwords = passwords
        self.sessions = sessions
        self.units = units

    async def update(self, user_id: UUID, data: MeUpdate) -> UserPublic:
        changes = data.model_dump(exclude_unset=True, exclude_none=True)
        user = await User.get(id=user_id)
        if changes:
            async with self.units() as work:
                for field, value in changes.items():
                    setattr(user, field, value)
                await user.save(update_fields=[*changes, "updated_at"])
                refresh_user(work, user_id)
        return UserPublic.of(user)

    async def choose_organization(
        self, user_id: UUID, organization_id: UUID, *, global_role: str | None
    ) -> UserPublic:
        """Make an organization I may act in my current one; any other is 404 (SPEC §1)."""
        if (
            await resolve_membership(
                organization_id=organization_id, user_id=user_id, global_role=global_role
            )
            is None
        ):
            raise errors.NotFound(NO_SUCH_ORGANIZATION)
        async with self.units() as work:
            user = await User.get(id=user_id)
            user.current_organization_id = organization_id
            await user.save(update_fields=["current_organization_id", "updated_at"])
            refresh_user(work, user_id)
        return UserPublic.of(user)

    async def export(self, user_id: UUID) -> AccountExport:
        user = await User.get(id=user_id)
        memberships = await OrganizationUser.filter(user_id=user_id).select_related("organization")
        sessions = await AuthSession.filter(user_id=user_id).order_by("-created_at")
        return AccountExport(
            exported_at=datetime.now(UTC),
            user=UserPublic.of(user),
            memberships=[
                ExportedMembership(
                    organization_id=m.organization.id,
                    organization_name=m.organization.name,
                    role_in_organization=m.role_in_organization,
                    status=m.status,
                    created_at=m.created_at,
                )
                for m in memberships
            ],
            sessions=[ExportedSession.model_validate(session) for session in sessions],
            recovery_codes_left=await RecoveryCode.filter(user_id=user_id, used_at=None).count(),
            audit_events=await _audit_events_about(user_id),
        )

    async def erase(self, user_id: UUID, password: str, *, client_ip: str) -> None:
        """Anonymize the account and end every session; the row stays so that what others
        need (authorship, history) points at "Deleted user". 409 for the last Owner."""
        user = await User.get(id=user_id)
        await confirm_password(
            user, password, self.accounts, passwords=self.passwords, client_ip=client_ip, units=self.units
        )
        # unusable: no password hashes to it, and it is not a valid argon2 hash to verify against
        unusable_hash = "!deleted:" + secrets.token_hex(16)
        old_email = user.email
        async with self.units() as work:
            if await is_last_owner(user_id, user.global_role):
                raise errors.Conflict("The last Owner cannot delete their account; make another Owner first")
            sole = await _organizations_left_without_an_admin(user_id)
            if sole:
                # SPEC §5: the last OrganizationAdmin cannot be removed, and erasing removes
                raise errors.BusinessRuleViolated(
                    f"You are the last OrganizationAdmin of {len(sole)} organization(s): make "
                    "another member its admin, or delete it, before deleting your account"
                )
            await User.filter(id=user_id).update(
                name=DELETED_NAME,
                nickname=f"deleted-{user_id.hex[:24]}",
                email=f"deleted-{user_id.hex}@deleted.invalid",
                password_hash=unusable_hash,
                global_role=None,
                current_organization_id=None,
                email_verified_at=None,
                mfa_enabled=False,
                mfa_secret=None,
                mfa_pending_secret=None,
                mfa_last_step=None,
                timezone="UTC",
                locale="en",
                preferences={},
                disabled=True,
                deleted_at=datetime.now(UTC),
                updated_at=datetime.now(UTC),
            )
            await OrganizationUser.filter(user_id=user_id).delete()
            await OneTimeToken.filter(user_id=user_id).delete()
            await RecoveryCode.filter(user_id=user_id).delete()
            await session_effects.revoke_all(work, self.sessions, user_id)
            work.audit("user.erased", target=("user", user_id), actor_id=user_id)
        await lockout.lift(old_email)  # the address can sign up again, without its old counts


async def _audit_events_about(user_id: UUID) -> list[AuditEventPublic]:
    """The newest entries where I acted or my account was the target: two queries, each
    served by its index (actor; target), merged, rather than one OR that neither serves."""
    newest = ("-created_at", "-id")
    mine = await AuditEvent.filter(actor_id=user_id).order_by(*newest).limit(EXPORTED_AUDIT_EVENTS)
    about_me = (
        await AuditEvent.filter(target_type="user", target_id=str(user_id))
        .order_by(*newest)
        .limit(EXPORTED_AUDIT_EVENTS)
    )
    events = {event.id: event for event in [*mine, *about_me]}.values()
    ordered = sorted(events, key=lambda event: (event.created_at, event.id), reverse=True)
    return [_as_exported(event, user_id) for event in ordered[:EXPORTED_AUDIT_EVENTS]]


def _as_exported(event: AuditEvent, user_id: UUID) -> AuditEventPublic:
    """What someone else did to my account is mine to know, but their IP address and
    request are their personal data, not mine to download."""
    exported = AuditEventPublic.model_validate(event)
    if event.actor_id == user_id:  # type: ignore[comparison-overlap]
        return exported
    return exported.model_copy(update={"client_ip": None, "request_id": None})


async def _organizations_left_without_an_admin(user_id: UUID) -> list[UUID]:
    """The live organizations whose only active OrganizationAdmin is this user (locked, so
    that an admin leaving meanwhile cannot slip past the count)."""
    administered = await OrganizationUser.filter(
        user_id=user_id,
        role_in_organization=Role.ORGANIZATION_ADMIN,
        status=MembershipStatus.ACTIVE,
        organization__deleted_at=None,
    ).values_list("organization_id", flat=True)
    sole = []
    for organization_id in administered:
        await live_organization(organization_id, for_update=True)
        admins_left = await active_admin_count(organization_id)
        # erasing removes the membership: the same rule as removing the member
        if policy.is_last_admin_change(
            member_role=Role.ORGANIZATION_ADMIN, new_role=None, admins_left=admins_left
        ):
            sole.append(organization_id)
    return sole
