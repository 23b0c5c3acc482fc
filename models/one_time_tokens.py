"""Single-use tokens: emailed links (verify, reset, confirm a change) and MFA challenges.

Only the SHA-256 of a token is stored. A token is bound to one user and one purpose,
expires, is spent by its first use, and is superseded by a newer one of the same
purpose for the same user.
"""

from tortoise import fields

from models.base import TimestampedModel


class OneTimeToken(TimestampedModel):
    user = fields.ForeignKeyField("models.User", related_name="one_time_tokens", on_delete=fields.CASCADE)
    purpose = fields.CharField(max_length=32)
    token_hash = fields.CharField(max_length=64, unique=True)
    # what confirming it applies, e.g. the pending new email or password hash
    payload: dict = fields.JSONField(default=dict)  # type: ignore[assignment]
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    superseded_at = fields.DatetimeField(null=True)
    # wrong codes entered against it (MFA challenges end after a few)
    failed_attempts = fields.IntField(default=0)

    class Meta:
        table = "one_time_tokens"
        indexes = (("user_id", "purpose"),)
