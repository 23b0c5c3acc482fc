"""Queries on organization-owned models (models.base.OrganizationOwnedModel), always
filtered by the acting organization.

    invites = scoped(Invite, organization_id).filter(status="pending")
    invite = await get_scoped_or_404(Invite, organization_id, invite_id)

Another organization's row and a missing one are the same 404 with the same body, so an
id from elsewhere tells nothing. The few lookups that must cross organizations (an invite
found by its emailed token, my invites across organizations) say why through `unscoped`.
tests/core/test_scoping.py fails when a module queries such a model any other way.

Memberships (models.OrganizationUser) are the one organization-keyed table outside this
base: a membership is the tenancy itself, read by user across organizations (my
organizations, the session snapshot) as often as by organization. Its queries live in
app/core/membership.py and app/organizations/members.py, and every one names the
organization or the acting user.
"""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from tortoise.queryset import QuerySet

from app.core import errors
from models.base import OrganizationOwnedModel

Owned = TypeVar("Owned", bound=OrganizationOwnedModel)


def scoped(model: type[Owned], organization_id: UUID) -> QuerySet[Owned]:
    """Every row of `model` in this organization, to filter further."""
    return model.filter(organization_id=organization_id)


async def get_scoped_or_404(
    model: type[Owned], organization_id: UUID, row_id: UUID | str, *, for_update: bool = False
) -> Owned:
    """The row with this id in this organization, else 404 (`for_update`: locked until the
    transaction ends)."""
    try:
        query = scoped(model, organization_id).filter(id=UUID(str(row_id)))
    except ValueError:
        raise errors.NotFound(f"No such {_noun(model)}") from None
    if for_update:
        query = query.select_for_update()
    row = await query.first()
    if row is None:
        raise errors.NotFound(f"No such {_noun(model)}")
    return row


def unscoped(model: type[Owned], *, reason: str) -> QuerySet[Owned]:
    """Rows of every organization: only for a lookup that is itself the proof of access
    (an emailed token's hash) or is bounded by the caller's own identity. `reason` is for
    the reader and the review."""
    if not reason.strip():
        raise ValueError("unscoped() needs a reason")
    return model.all()


def _noun(model: type[OrganizationOwnedModel]) -> str:
    return model._meta.db_table.removesuffix("s").replace("_", " ")
