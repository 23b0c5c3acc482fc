"""The transactional outbox: background work written in the same transaction as the
change that causes it, relayed to the broker after commit (ARCHITECTURE.md)."""

from tortoise import fields

from models.base import TimestampedModel


class OutboxMessage(TimestampedModel):
    # the Dramatiq actor that will run it, e.g. "send_email"
    actor = fields.CharField(max_length=64)
    payload: dict = fields.JSONField()  # type: ignore[assignment]
    # a relay publishing it holds it until then; null means free to publish
    claimed_until = fields.DatetimeField(null=True, db_index=True)
    publish_attempts = fields.IntField(default=0)
    last_error = fields.CharField(max_length=500, null=True)

    class Meta:
        table = "outbox_messages"
