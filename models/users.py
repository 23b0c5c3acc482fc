"""A person with an account. Emails are stored lower-cased, so uniqueness is case-blind."""

from tortoise import fields

from models.base import TimestampedModel


class User(TimestampedModel):
    name = fields.CharField(max_length=120)
    nickname = fields.CharField(max_length=32, unique=True)
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=255)
    # Owner / PlatformAdmin, or null for everyone else (SPEC §1, Roles)
    global_role = fields.CharField(max_length=32, null=True)
    current_organization_id = fields.UUIDField(null=True)
    email_verified_at = fields.DatetimeField(null=True)
    mfa_enabled = fields.BooleanField(default=False)
    # base32 TOTP secret: pending between enroll and activate, then active; never returned
    mfa_secret = fields.CharField(max_length=64, null=True)
    mfa_pending_secret = fields.CharField(max_length=64, null=True)
    # the last TOTP time step accepted, so a code cannot be replayed within its window
    mfa_last_step = fields.BigIntField(null=True)
    timezone = fields.CharField(max_length=64, default="UTC")
    locale = fields.CharField(max_length=35, default="en")
    preferences: dict = fields.JSONField(default=dict)  # type: ignore[assignment]
    disabled = fields.BooleanField(default=False)
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "users"

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None
