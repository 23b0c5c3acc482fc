"""Users administration (SPEC §5): list, search, read, disable and enable, grant and
withdraw global roles. Who may do what is decided by app.core.policy alone."""

from __future__ import annotations

import hashlib
from uuid import UUID

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from app.admin.users.schemas import UserAdminUpdate, UserAdminView, UserListQuery, UserSearch
from app.auth import session_effects
from app.auth.sessions import SessionStore
from app.core import errors, policy
from app.core.pagination import Page, Paginator
from app.core.policy import Actor
from app.core.session_effects import refresh_user
from app.core.unit_of_work import UnitsOfWork
from app.users.owners import is_last_owner
from models import User


class UsersAdministration:
    """Built at start-up (app.capabilities) with the session store (disabling ends
    sessions), the paginator and the units of work."""

    def __init__(self, *, sessions: SessionStore, paginator: Paginator, units: UnitsOfWork) -> None:
        self.sessions = sessions
        self.paginator = paginator
        self.units = units

    async def list_users(self, query: UserListQuery) -> Page[UserAdminView]:
        users: QuerySet[User] = User.all()
        if query.disabled is not None:
            users = users.filter(disabled=query.disabled)
        if query.deleted is not None:
            users = users.filter(deleted_at__isnull=not query.deleted)
        if query.global_role == "none":
            users = users.filter(global_role__isnull=True)
        elif query.global_role is not None:
            users = users.filter(global_role=query.global_role)
        return await self.paginator.paginate(users, query, scope="admin.users", to_item=UserAdminView.of)

    async def search(self, search: UserSearch) -> Page[UserAdminView]:
        text = search.query
        users = User.filter(Q(name__icontains=text) | Q(nickname__icontains=text) | Q(email__icontains=text))
        # a cursor from one search is refused by another (and the scope holds no PII)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        return await self.paginator.paginate(
            users, search, scope=f"admin.users.search:{digest}", to_item=UserAdminView.of
        )

    async def get(self, user_id: UUID) -> UserAdminView:
        return UserAdminView.of(await _user_or_404(user_id))

    async def update(self, actor: Actor, user_id: UUID, data: UserAdminUpdate) -> UserAdminView:
        """403 when the policy refuses a change; 409 when it would leave no Owner; 422 to
        enable an erased account. Only what changes is checked, applied and recorded."""
        changes = data.model_dump(exclude_unset=True)
        async with self.units() as work:
            user = await _user_or_404(user_id, for_update=True)
            role_changes = "global_role" in changes and changes["global_role"] != user.global_role
            disabled_changes = "disabled" in changes and changes["disabled"] != user.disabled
            if role_changes and not policy.may_grant_global_role(actor):
                raise errors.Forbidden("Only an Owner grants or withdraws global roles")
            if disabled_changes and not policy.may_disable_user(
                actor, target_global_role=user.global_role, target_id=user.id
            ):
                raise errors.Forbidden("You may not disable or enable this user")
            if disabled_changes and not changes["disabled"] and user.deleted_at is not None:
                raise errors.BusinessRuleViolated("An erased account cannot be enabled")
            if role_changes and await is_last_owner(user.id, user.global_role):
                raise errors.Conflict("The last Owner keeps the role; make another Owner first")
            fields = []
            if role_changes:
                user.global_role = changes["global_role"]
                fields.append("global_role")
                work.audit(
                    "user.global_role_changed", target=("user", user.id), changed_fields=["global_role"]
                )
                refresh_user(work, user.id)
            if disabled_changes:
                user.disabled = changes["disabled"]
                fields.append("disabled")
                action = "user.disabled" if user.disabled else "user.enabled"
                work.audit(action, target=("user", user.id), changed_fields=["disabled"])
                if user.disabled:
                    # every session ends now, in every process's cache (SPEC §5)
                    await session_effects.revoke_all(work, self.sessions, user.id)
            if fields:
                await user.save(update_fields=[*fields, "updated_at"])
        return UserAdminView.of(user)


async def _user_or_404(user_id: UUID, *, for_update: bool = False) -> User:
    query = User.filter(id=user_id)
    if for_update:
        query = query.select_for_update()
    user = await query.first()
    if user is None:
        raise errors.NotFound("No such user")
    return user
