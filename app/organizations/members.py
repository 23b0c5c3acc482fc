"""Members of an organization (SPEC §5): list, change a role, remove, leave.

Rules from app.core.policy: nobody manages someone above their own role or grants a role
above it, and the last OrganizationAdmin can be neither demoted nor removed, nor leave
(422). That count is race-safe: the organization's row is locked first, so two admins
demoting each other at once are serialized and the second sees the first's change.
A removed membership keeps its row (status `removed`); a removed member, a user of another
organization and an unknown id are all the same 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from app.coaching.sessions import cancelling
from app.core import errors, policy
from app.core.compiled_query import CompiledList, as_datetime, as_uuid
from app.core.member_events import member_data, publish_member_event
from app.core.membership import NO_SUCH_ORGANIZATION, active_admin_count, live_organization
from app.core.pagination import Page, Paginator
from app.core.policy import Actor
from app.core.roles import Role
from app.core.session_effects import refresh_user
from app.core.unit_of_work import UnitOfWork, UnitsOfWork
from app.organizations.current import clear_current_organization
from app.organizations.schemas import MemberPublic, MembersQuery, OrganizationRoleName
from models import OrganizationUser
from models.organizations import MembershipStatus

NO_SUCH_MEMBER = "No such member"
LAST_ADMIN = (
    "The last OrganizationAdmin cannot be demoted, removed or leave; make another member an admin first"
)


# the members list, compiled once (a benchmark lists 10,000 members: docs/organizations.md)
MEMBERS = CompiledList(
    lambda slot, shape: OrganizationUser.filter(
        organization_id=slot.organization_id,
        status=slot.status,
        user__global_role__isnull=True,
        **({"role_in_organization": slot.role} if "role" in shape else {}),
    ),
    columns=("id", "created_at", "role_in_organization", "status"),
    aliases={
        "user_id": "user__id",
        "name": "user__name",
        "nickname": "user__nickname",
        "email": "user__email",
    },
    organization_id=UUID,
    status=str,
    role=str,
)


class MemberService:
    """Built at start-up (app.capabilities) with the units of work and the paginator."""

    def __init__(self, *, units: UnitsOfWork, paginator: Paginator) -> None:
        self.units = units
        self.paginator = paginator

    async def list_members(
        self, actor: Actor, organization_id: UUID, query: MembersQuery
    ) -> Page[dict[str, Any]]:
        """One page in two queries whatever the organization's size: a bounded count
        (skipped while a long list's total is cached; the first time, the full count too:
        app.core.list_totals) and the page joined with its users. Rows shaped as
        MemberPublic; users with a global role are not listed."""
        show_email = policy.may_see_member_emails(actor)

        def member(row: Mapping[str, Any]) -> dict[str, Any]:
            return {
                "user_id": as_uuid(row["user_id"]),
                "name": row["name"],
                "nickname": row["nickname"],
                "email": row["email"] if show_email else None,
                "role_in_organization": row["role_in_organization"],
                "status": row["status"],
                "joined": as_datetime(row["created_at"]),
            }

        return await self.paginator.paginate_compiled(
            MEMBERS,
            query,
            scope=f"members:{organization_id}:{query.status}:{query.role}",
            values={"organization_id": organization_id, "status": query.status, "role": query.role},
            to_item=member,
        )

    async def change_role(
        self, actor: Actor, organization_id: UUID, user_id: UUID, role: OrganizationRoleName
    ) -> MemberPublic:
        new_role = Role(role)
        async with self.units() as work:
            member = await _managed_member(actor, organization_id, user_id)
            if not policy.may_grant_organization_role(actor, new_role):
                raise errors.Forbidden("Nobody grants a role above their own")
            await _keep_an_admin(member, new_role)
            if member.role_in_organization != new_role:
                member.role_in_organization = new_role.value
                await member.save(update_fields=["role_in_organization", "updated_at"])
                refresh_user(work, user_id)
                work.audit(
                    "member.role_changed",
                    target=("user", user_id),
                    organization_id=organization_id,
                    changed_fields=["role_in_organization"],
                )
                data = member_data(member.user, member)
                publish_member_event(work, "member.updated", organization_id, user_id, data)
        return _public(member, show_email=policy.may_see_member_emails(actor))

    async def remove(self, actor: Actor, organization_id: UUID, user_id: UUID) -> None:
        async with self.units() as work:
            member = await _managed_member(actor, organization_id, user_id)
            await _keep_an_admin(member, None)
            await _end(work, member)
            work.audit("member.removed", target=("user", user_id), organization_id=organization_id)

    async def leave(self, user_id: UUID, organization_id: UUID) -> None:
        """The user leaves an organization they are a member of (404 for any other)."""
        async with self.units() as work:
            await _lock_live_organization(organization_id)
            # not a member: the same answer as for a missing organization (SPEC §1)
            member = await _member(organization_id, user_id, missing=NO_SUCH_ORGANIZATION)
            await _keep_an_admin(member, None)
            await _end(work, member)
            work.audit("member.left", target=("user", user_id), organization_id=organization_id)


def _public(member: OrganizationUser, *, show_email: bool) -> MemberPublic:
    user = member.user
    return MemberPublic(
        user_id=user.id,
        name=user.name,
        nickname=user.nickname,
        email=user.email if show_email else None,
        role_in_organization=member.role_in_organization,
        status=member.status,
        joined=member.created_at,
    )


async def _lock_live_organization(organization_id: UUID) -> None:
    """Locks the organization's row until the transaction ends (PostgreSQL; SQLite
    serializes write transactions): member changes in one organization run one at a time."""
    if await live_organization(organization_id, for_update=True) is None:
        raise errors.NotFound(NO_SUCH_ORGANIZATION)


async def _member(organization_id: UUID, user_id: UUID, *, missing: str = NO_SUCH_MEMBER) -> OrganizationUser:
    member = (
        await OrganizationUser.filter(organization_id=organization_id, user_id=user_id)
        .exclude(status=MembershipStatus.REMOVED)
        .select_related("user")
        .first()
    )
    if member is None:
        raise errors.NotFound(missing)
    return member


async def _managed_member(actor: Actor, organization_id: UUID, user_id: UUID) -> OrganizationUser:
    """The member `actor` may manage, with the organization locked (404, else 403)."""
    await _lock_live_organization(organization_id)
    member = await _member(organization_id, user_id)
    if not policy.may_manage_member(actor, member_role=Role(member.role_in_organization), member_id=user_id):
        raise errors.Forbidden("Your role does not allow managing this member")
    return member


async def _keep_an_admin(member: OrganizationUser, new_role: Role | None) -> None:
    """422 when the change would leave the organization without an active admin (the
    organization row is locked by the caller, so the count cannot go stale)."""
    if member.status != MembershipStatus.ACTIVE:
        return  # not counted among the admins left anyway
    admins_left = await active_admin_count(member.organization_id)  # type: ignore[attr-defined]
    if policy.is_last_admin_change(
        member_role=Role(member.role_in_organization), new_role=new_role, admins_left=admins_left
    ):
        raise errors.BusinessRuleViolated(LAST_ADMIN)


async def _end(work: UnitOfWork, member: OrganizationUser) -> None:
    """The membership ends (its row stays, `removed`); sessions learn it at once."""
    member.status = MembershipStatus.REMOVED.value
    await member.save(update_fields=["status", "updated_at"])
    user_id = member.user_id  # type: ignore[attr-defined]
    organization_id = member.organization_id  # type: ignore[attr-defined]
    # removed or left, the same event; published before the sessions are refreshed, so
    # that the member's own stream, which ends on hearing of the refresh, finds it first
    publish_member_event(work, "member.removed", organization_id, user_id, member_data(member.user, member))
    # their sessions to come there would hold their time everywhere, and nobody could free it
    await cancelling.upcoming_of_member(work, organization_id, user_id, now=datetime.now(UTC), by=None)
    await clear_current_organization(work, organization_id, user_id=user_id)
    refresh_user(work, user_id)
