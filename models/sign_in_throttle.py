"""Failed sign-ins per account, keyed by a digest of the email so that unknown emails are
throttled exactly like known ones (no account enumeration by lockout)."""

from tortoise import fields

from models.base import TimestampedModel


class SignInThrottle(TimestampedModel):
    account_digest = fields.CharField(max_length=64, unique=True)
    failures = fields.IntField(default=0)  # in a row; a successful sign-in deletes the row
    locked_until = fields.DatetimeField(null=True)

    class Meta:
        table = "sign_in_throttles"
