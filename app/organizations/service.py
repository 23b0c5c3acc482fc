"""Organizations (SPEC §5): create, read, rename, soft delete and restore; and the
memberships a user reads about themselves.

A deleted organization keeps its rows (`deleted_at`): the organization link answers 404
for it at once, and a PlatformAdmin can restore it.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import UTC, datetime
from uuid import UUID

from tortoise.exceptions import IntegrityError

from app.coaching.sessions import cancelling
from app.core import errors, policy
from app.core.live_events import Audience, publish
from app.core.membership import NO_SUCH_ORGANIZATION, live_organization
from app.core.pagination import Page, PageQuery, Paginator
from app.core.policy import Actor
from app.core.roles import Role
from app.core.session_effects import refresh_user
from app.core.settings import OrganizationSettings
from app.core.unit_of_work import UnitsOfWork
from app.organizations.current import clear_current_organization, refresh_members
from app.organizations.schemas import (
    CurrentOrganization,
    MembershipPublic,
    OrganizationAdminView,
    OrganizationCreate,
    OrganizationPublic,
    OrganizationsQuery,
    OrganizationUpdate,
)
from models import Organization, OrganizationUser, User
from models.organizations import MembershipStatus

SLUG_TAKEN = "This slug is taken"
# a generated slug that collides gets a random suffix; a few tries make a clash unlikely
_SLUG_ATTEMPTS = 5
_SLUG_STEM_MAX = 57  # room for "-" and six hex digits within 64
EVERY_MEMBER = Audience.members()


class OrganizationService:
    """Built at start-up (app.capabilities) with the organizations settings, the units of
    work and the paginator."""

    def __init__(
        self, *, organizations: OrganizationSettings, units: UnitsOfWork, paginator: Paginator
    ) -> None:
        self.settings = organizations
        self.units = units
        self.paginator = paginator

    async def create(self, actor: Actor, data: OrganizationCreate) -> OrganizationPublic:
        """The creator becomes its OrganizationAdmin and acts in it from now on."""
        if not policy.may_create_organization(actor, self_service=self.settings.self_service):
            raise errors.Forbidden("Only platform administrators may create organizations here")
        user = await User.get(id=actor.user_id)
        if not user.email_verified:
            raise errors.BusinessRuleViolated("Verify your email address before creating an organization")
        stem = data.slug if data.slug is not None else slug_from(data.name)
        for attempt in range(_SLUG_ATTEMPTS):
            slug = stem if attempt == 0 else f"{stem[:_SLUG_STEM_MAX]}-{secrets.token_hex(3)}"
            if data.slug is None and await Organization.filter(slug=slug).exists():
                continue
            try:
                return await self._create(user, data.name, slug)
            except IntegrityError:
                if data.slug is not None:
                    raise errors.Conflict(SLUG_TAKEN) from None
                # another request took the generated slug meanwhile: try a suffixed one
        raise errors.Conflict("Could not find a free slug for this name; give one")

    async def _create(self, user: User, name: str, slug: str) -> OrganizationPublic:
        async with self.units() as work:
            organization = await Organization.create(name=name, slug=slug)
            await OrganizationUser.create(
                organization=organization, user=user, role_in_organization=Role.ORGANIZATION_ADMIN.value
            )
            user.current_organization_id = organization.id
            await user.save(update_fields=["current_organization_id", "updated_at"])
            refresh_user(work, user.id)
            work.audit(
                "organization.created",
                target=("organization", organization.id),
                organization_id=organization.id,
            )
        return OrganizationPublic.model_validate(organization)

    async def get(self, organization_id: UUID) -> OrganizationPublic:
        return OrganizationPublic.model_validate(await _live(organization_id))

    async def update(self, organization_id: UUID, data: OrganizationUpdate) -> OrganizationPublic:
        changes = data.model_dump(exclude_unset=True)
        try:
            async with self.units() as work:
                organization = await _live(organization_id, for_update=True)
                changed = [field for field, value in changes.items() if getattr(organization, field) != value]
                if changed:
                    for field in changed:
                        setattr(organization, field, changes[field])
                    await organization.save(update_fields=[*changed, "updated_at"])
                    work.audit(
                        "organization.updated",
                        target=("organization", organization_id),
                        organization_id=organization_id,
                        changed_fields=changed,
                    )
                updated = OrganizationPublic.model_validate(organization)
                if changed:
                    publish(work, "organization.updated", organization_id, updated, audience=EVERY_MEMBER)
        except IntegrityError:
            raise errors.Conflict(SLUG_TAKEN) from None
        return updated

    async def delete(self, organization_id: UUID) -> None:
        """Soft delete: members lose access at once; those acting in it by default act in
        none until they choose another."""
        async with self.units() as work:
            organization = await _live(organization_id, for_update=True)
            organization.deleted_at = datetime.now(UTC)
            await organization.save(update_fields=["deleted_at", "updated_at"])
            # its sessions to come hold their people's time in every organization: freed
            # (a restore brings the organization back, not those sessions)
            await cancelling.upcoming_of_organization(
                work, organization_id, now=organization.deleted_at, by=None
            )
            # the last event of its streams; published before the members' sessions are
            # refreshed, so that a stream ending on hearing of the refresh finds it first
            deleted = {"id": str(organization_id)}
            publish(work, "organization.deleted", organization_id, deleted, audience=EVERY_MEMBER)
            await clear_current_organization(work, organization_id)
            await refresh_members(work, organization_id)
            work.audit(
                "organization.deleted",
                target=("organization", organization_id),
                organization_id=organization_id,
            )

    async def restore(self, organization_id: UUID) -> OrganizationAdminView:
        async with self.units() as work:
            organization = await Organization.filter(id=organization_id).select_for_update().first()
            if organization is None:
                raise errors.NotFound(NO_SUCH_ORGANIZATION)
            if organization.deleted_at is None:
                raise errors.Conflict("This organization is not deleted")
            organization.deleted_at = None
            await organization.save(update_fields=["deleted_at", "updated_at"])
            await refresh_members(work, organization_id)
            work.audit(
                "organization.restored",
                target=("organization", organization_id),
                organization_id=organization_id,
            )
        return OrganizationAdminView.model_validate(organization)

    async def list_all(self, query: OrganizationsQuery) -> Page[OrganizationAdminView]:
        """Every organization, deleted ones too unless filtered (platform administrators)."""
        queryset = Organization.all()
        if query.deleted is not None:
            queryset = queryset.filter(deleted_at__isnull=not query.deleted)
        return await self.paginator.paginate(
            queryset,
            query,
            scope=f"organizations:{query.deleted}",
            to_item=OrganizationAdminView.model_validate,
        )


def slug_from(name: str) -> str:
    """A slug made from a name: "Lycée Hugo" → "lycee-hugo"; padded to three characters."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:64].rstrip("-")
    if len(slug) < 3:
        return f"org-{slug}" if slug else "org"
    return slug


async def _live(organization_id: UUID, *, for_update: bool = False) -> Organization:
    organization = await live_organization(organization_id, for_update=for_update)
    if organization is None:
        raise errors.NotFound(NO_SUCH_ORGANIZATION)
    return organization


async def list_memberships(*, user_id: UUID, page: PageQuery, paginator: Paginator) -> Page[MembershipPublic]:
    queryset = OrganizationUser.filter(
        user_id=user_id, status=MembershipStatus.ACTIVE, organization__deleted_at=None
    ).select_related("organization")
    return await paginator.paginate(
        queryset, page, scope=f"memberships:{user_id}", to_item=MembershipPublic.model_validate
    )


async def current_organization(*, organization_id: UUID, role: str | None) -> CurrentOrganization:
    """The organization the organization link selected (membership already checked)."""
    organization = await _live(organization_id)
    return CurrentOrganization(
        organization=OrganizationPublic.model_validate(organization), role_in_organization=role
    )
