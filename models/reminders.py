"""Session reminders sent (SPEC §6): one row per session, offset and start time, unique,
so that of several workers finding the same reminder due only one sends it; keyed on
the start time, so a moved session is reminded at its new time and never at its old."""

from tortoise import fields

from models.base import TimestampedModel


class SentReminder(TimestampedModel):
    session_id = fields.UUIDField()
    offset_seconds = fields.IntField()
    starts_at = fields.DatetimeField()

    class Meta:
        table = "session_reminders"
        unique_together = (("session_id", "offset_seconds", "starts_at"),)
