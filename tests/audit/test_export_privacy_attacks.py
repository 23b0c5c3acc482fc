"""GET /me/export holds what was done to my account, but not the personal data of whoever
did it: an administrator's IP address is theirs, not mine to download."""

from __future__ import annotations

import uuid

import pytest

from models import AuditEvent
from tests.factories import signed_in_user

pytestmark = pytest.mark.many_sign_ins


async def test_exporting_my_account_does_not_reveal_the_ip_of_the_admin_who_acted_on_it(server):
    person = await signed_in_user(server)
    admin_id = uuid.uuid4()
    await AuditEvent.create(
        action="member.removed",
        organization_id=uuid.uuid4(),
        actor_id=admin_id,
        target_type="user",
        target_id=person.id,
        request_id="admins-request",
        client_ip="203.0.113.7",
        changed_fields=[],
    )

    export = await person.client.get("/api/v1/me/export")

    assert export.status_code == 200, export.text
    events = export.json()["data"]["audit_events"]
    removed = next(event for event in events if event["action"] == "member.removed")
    assert removed["actor_id"] == str(admin_id)  # who acted stays: it is about me
    assert (removed["client_ip"], removed["request_id"]) == (None, None)
    assert "203.0.113.7" not in export.text
    # my own entries keep mine
    signed_in = next(event for event in events if event["action"] == "session.created")
    assert signed_in["client_ip"] is not None
