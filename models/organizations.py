"""Organizations and their members."""

from enum import StrEnum

from tortoise import fields

from models.base import TimestampedModel


class Organization(TimestampedModel):
    name = fields.CharField(max_length=120)
    slug = fields.CharField(max_length=64, unique=True)
    plan = fields.CharField(max_length=32, default="free")
    billing_status = fields.CharField(max_length=32, default="none")
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "organizations"


class MembershipStatus(StrEnum):
    """Only an active membership lets its user act in the organization."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REMOVED = "removed"


class OrganizationUser(TimestampedModel):
    """Membership: a user's role in one organization."""

    organization = fields.ForeignKeyField(
        "models.Organization", related_name="memberships", on_delete=fields.CASCADE
    )
    user = fields.ForeignKeyField("models.User", related_name="memberships", on_delete=fields.CASCADE)
    role_in_organization = fields.CharField(max_length=32)
    # a plain string default: the migrations describe it so (MembershipStatus values)
    status = fields.CharField(max_length=16, default=MembershipStatus.ACTIVE.value)

    class Meta:
        table = "organization_users"
        unique_together = (("organization", "user"),)
        # members of one organization by status, newest first (the members list)
        indexes = (("organization_id", "status", "created_at", "id"),)
