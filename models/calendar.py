"""Per-user calendar feeds (SPEC §6): the token in the feed's URL is stored only as its
SHA-256; regenerating a feed revokes the one before, so a leaked URL can be cut off."""

from tortoise import fields

from models.base import TimestampedModel


class CalendarFeed(TimestampedModel):
    user_id = fields.UUIDField(db_index=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    revoked_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "calendar_feeds"
