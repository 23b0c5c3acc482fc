"""Server-side sign-in sessions. Only hashes of tokens are stored (SPEC §1)."""

from tortoise import fields

from models.base import TimestampedModel


class AuthSession(TimestampedModel):
    user = fields.ForeignKeyField("models.User", related_name="sessions", on_delete=fields.CASCADE)
    # SHA-256 of the 32-byte session token; the token itself is never stored
    token_hash = fields.CharField(max_length=64, unique=True)
    # SHA-256 of the current refresh token (bearer sessions only)
    refresh_token_hash = fields.CharField(max_length=64, unique=True, null=True)
    kind = fields.CharField(max_length=16, default="cookie")  # cookie | bearer
    ip_address = fields.CharField(max_length=45, default="")
    user_agent = fields.CharField(max_length=512, default="")
    last_seen_at = fields.DatetimeField()
    # absolute end of the session, fixed at sign-in
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    # bearer sessions: the access token ends here and is renewed by POST /auth/refresh
    access_expires_at = fields.DatetimeField(null=True)

    class Meta:
        table = "auth_sessions"
        indexes = (("user_id", "revoked_at"),)


class SpentRefreshToken(TimestampedModel):
    """A refresh token already exchanged; presenting it again revokes its session."""

    session = fields.ForeignKeyField(
        "models.AuthSession", related_name="spent_refresh_tokens", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)

    class Meta:
        table = "spent_refresh_tokens"
