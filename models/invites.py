"""Invitations to join an organization (SPEC §5). Only the SHA-256 of the emailed token is
stored; an invite is single use, expires, and a newer invite to the same address in the
same organization replaces the pending one."""

from enum import StrEnum

from tortoise import fields

from models.base import OrganizationOwnedModel


class InviteStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    # replaced by a newer invite to the same address
    REPLACED = "replaced"


class Invite(OrganizationOwnedModel):
    # canonical spelling (app.core.email_address.canonical), so a match is case-blind
    email = fields.CharField(max_length=254)
    role = fields.CharField(max_length=32)
    token_hash = fields.CharField(max_length=64, unique=True)
    status = fields.CharField(max_length=16, default=InviteStatus.PENDING.value)
    invited_by_id = fields.UUIDField(null=True)
    expires_at = fields.DatetimeField()
    accepted_at = fields.DatetimeField(null=True)
    accepted_by_id = fields.UUIDField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    # times the invite email was sent again (bounded by the resend rate limit)
    resent_count = fields.IntField(default=0)

    class Meta:
        table = "invites"
        indexes = (("organization_id", "email", "status"), ("email", "status"))
