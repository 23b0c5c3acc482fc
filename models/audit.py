"""The audit log: one append-only row per change (SPEC §5). Written in the same transaction
as the change it records (app.core.unit_of_work); never updated or deleted by the app.

Actor, organization and target are plain ids, not foreign keys: a row outlives what it
names and never blocks erasing or deleting it.
"""

from tortoise import fields
from tortoise.models import Model


class AuditEvent(Model):
    id = fields.UUIDField(primary_key=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # who acted: None for the system (a worker, a webhook)
    actor_id = fields.UUIDField(null=True)
    # None for events outside any organization (sign-in, users administration)
    organization_id = fields.UUIDField(null=True)
    # `<target type>.<verb>`, e.g. `member.role_changed`
    action = fields.CharField(max_length=64)
    target_type = fields.CharField(max_length=32)
    target_id = fields.CharField(max_length=64, null=True)
    request_id = fields.CharField(max_length=128, null=True)
    client_ip = fields.CharField(max_length=45, null=True)
    # names of the fields the change set, never their values
    changed_fields: list = fields.JSONField(default=list)  # type: ignore[assignment]

    class Meta:
        table = "audit_events"
        # newest first by (created_at, id) within an organization, for an actor, about one
        # target (a user's own export reads what was done to them), and overall
        indexes = (
            ("organization_id", "created_at", "id"),
            ("actor_id", "created_at", "id"),
            ("target_type", "target_id", "created_at", "id"),
            ("created_at", "id"),
        )
