"""Idempotency keys (SPEC §1): the first response to a creating POST, kept 24 h so that a
retry with the same key gets it again without the work being done twice."""

from tortoise import fields
from tortoise.models import Model


class IdempotencyRecord(Model):
    id = fields.UUIDField(primary_key=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    user_id = fields.UUIDField()
    key = fields.CharField(max_length=255)
    # SHA-256 of method, route and body: the same key with another request is refused
    fingerprint = fields.CharField(max_length=64)
    # None while the first request is still running
    status = fields.IntField(null=True)
    body = fields.BinaryField(null=True)
    headers: dict = fields.JSONField(default=dict)  # type: ignore[assignment]
    # a running request's claim lapses here (a process that died mid-request)
    locked_until = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "idempotency_records"
        unique_together = (("user_id", "key"),)
