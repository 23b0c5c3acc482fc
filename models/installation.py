"""The one row that says this installation has been set up (SPEC §4).

Its fixed primary key makes the bootstrap race-proof on every database: of ten
concurrent bootstraps, one INSERT wins and the others fail on the key.
"""

from tortoise import fields
from tortoise.models import Model

INSTALLATION_ID = 1


class Installation(Model):
    id = fields.IntField(primary_key=True, generated=False)
    owner_id = fields.UUIDField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "installation"
