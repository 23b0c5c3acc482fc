"""Second factor: single-use recovery codes (the TOTP secret lives on the user)."""

from tortoise import fields

from models.base import TimestampedModel


class RecoveryCode(TimestampedModel):
    user = fields.ForeignKeyField("models.User", related_name="recovery_codes", on_delete=fields.CASCADE)
    # SHA-256 of the normalised code; the code itself is shown once at enrollment
    code_hash = fields.CharField(max_length=64)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "mfa_recovery_codes"
        unique_together = (("user", "code_hash"),)
