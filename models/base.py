"""Columns every table has: a UUID primary key and creation/update times; and the base of
tables that belong to one organization."""

from tortoise import fields
from tortoise.models import Model


class TimestampedModel(Model):
    id = fields.UUIDField(primary_key=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        abstract = True


class OrganizationOwnedModel(TimestampedModel):
    """A row that belongs to exactly one organization (`organization_id`, set at creation).

    Services never query these directly: app.core.scoping's `scoped(...)` and
    `get_scoped_or_404(...)` filter every query by the acting organization, so another
    organization's row and a missing row are the same 404. tests/core/test_scoping.py
    fails on a direct query.
    """

    organization_id = fields.UUIDField(db_index=True)

    class Meta:
        abstract = True
