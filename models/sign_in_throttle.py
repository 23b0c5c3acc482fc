"""Failed sign-ins (and re-authentications), counted per account and client IP, and per
account over every IP (app/auth/lockout.py). Keyed by digests so that unknown emails are
throttled exactly like known ones (no account enumeration by lockout), and neither the
address nor the IP is stored."""

from tortoise import fields

from models.base import TimestampedModel

ACCOUNT_WIDE = ""  # client_digest of the row that counts failures from every IP


class SignInThrottle(TimestampedModel):
    account_digest = fields.CharField(max_length=64)  # SHA-256 of the canonical email
    # SHA-256 of the client IP (IPv6: its /64); ACCOUNT_WIDE for the account's own row
    client_digest = fields.CharField(max_length=64, default=ACCOUNT_WIDE)
    # per IP: in a row (a successful sign-in from there deletes the row); account-wide:
    # since window_started_at
    failures = fields.IntField(default=0)
    locked_until = fields.DatetimeField(null=True)
    window_started_at = fields.DatetimeField(null=True)
    # account-wide row: when the owner was last emailed about failures (at most hourly)
    notified_at = fields.DatetimeField(null=True)

    class Meta:
        table = "sign_in_throttles"
        unique_together = (("account_digest", "client_digest"),)
