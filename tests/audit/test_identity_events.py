"""Identity events land in the audit log with the user as actor (issue 11), and the user's
own entries come with GET /me/export."""

from __future__ import annotations

import pyotp
import pytest

from app.auth import one_time_tokens
from app.auth.one_time_tokens import Purpose
from models import AuditEvent, AuthSession
from tests.factories import PASSWORD, SignedInUser, signed_in_user, signed_in_with_global_role, verify_email

pytestmark = pytest.mark.many_sign_ins


async def actions_by(user_id: str) -> list[str]:
    rows = await AuditEvent.filter(actor_id=user_id).order_by("created_at", "id")
    return [row.action for row in rows]


async def confirm(person: SignedInUser, purpose: Purpose, payload: dict) -> None:
    """What the emailed link does: the token is issued here rather than read from an inbox."""
    token = await one_time_tokens.issue(person.id, purpose, ttl_seconds=600, payload=payload)
    response = await person.client.post("/api/v1/profile/confirm-change", json={"token": token})
    assert response.status_code == 200, response.text


async def test_sign_in_is_recorded_with_the_user_the_session_the_request_and_the_address(server):
    person = await signed_in_user(server)

    row = await AuditEvent.get(action="session.created", actor_id=person.id)

    session = await AuthSession.get(user_id=person.id)
    assert (row.target_type, row.target_id) == ("session", str(session.id))
    assert row.organization_id is None
    assert row.client_ip == "127.0.0.1"
    assert row.request_id
    assert row.changed_fields == []


async def test_second_factor_on_sign_in_through_it_and_off_are_recorded(server):
    person = await signed_in_user(server)
    await verify_email(person)
    enrolled = await person.client.post("/api/v1/auth/mfa/enroll", json={"password": PASSWORD})
    enrollment = enrolled.json()["data"]
    activated = await person.client.post(
        "/api/v1/auth/mfa/activate",
        json={"code": pyotp.TOTP(enrollment["secret"]).now(), "password": PASSWORD},
    )
    assert activated.status_code == 200, activated.text
    challenge = await server.client.post(
        "/api/v1/auth/sign-in", json={"email": person.email, "password": PASSWORD}
    )
    verified = await server.client.post(
        "/api/v1/auth/mfa/verify",
        json={"mfa_token": challenge.json()["data"]["mfa_token"], "code": enrollment["recovery_codes"][0]},
    )
    assert verified.status_code == 200, verified.text
    person.use_cookie(activated.cookies["tandem_session"])
    disabled = await person.client.post(
        "/api/v1/auth/mfa/disable", json={"password": PASSWORD, "code": enrollment["recovery_codes"][1]}
    )
    assert disabled.status_code == 200, disabled.text

    assert await actions_by(person.id) == [
        "session.created",
        "user.email_verified",
        "user.mfa_enabled",
        "session.created",
        "user.mfa_disabled",
    ]
    row = await AuditEvent.get(action="user.mfa_enabled")
    assert (row.target_type, row.target_id, row.changed_fields) == ("user", person.id, ["mfa"])


async def test_sign_out_and_session_revocations_are_recorded(server):
    person = await signed_in_user(server)
    second = await server.client.post(
        "/api/v1/auth/sign-in", json={"email": person.email, "password": PASSWORD}
    )
    second_id = second.json()["data"]["session"]["id"]
    await server.client.post("/api/v1/auth/sign-in", json={"email": person.email, "password": PASSWORD})

    revoked_one = await person.client.delete(f"/api/v1/auth/sessions/{second_id}")
    revoked_others = await person.client.post("/api/v1/auth/sessions/revoke-others", json={})
    signed_out = await person.client.post("/api/v1/auth/sign-out", json={})

    for response in (revoked_one, revoked_others, signed_out):
        assert response.status_code == 200, response.text
    assert (await actions_by(person.id))[3:] == [
        "session.revoked",
        "user.other_sessions_revoked",
        "session.revoked",
    ]
    revoked = await AuditEvent.filter(action="session.revoked").order_by("created_at")
    assert revoked[0].target_id == second_id


async def test_password_email_and_profile_changes_and_a_reset_are_recorded(server):
    person = await signed_in_user(server)
    new_hash = await server.state.passwords.hash("another-horse-battery")

    await confirm(person, Purpose.CONFIRM_PROFILE, {"name": "New Name", "nickname": "new-nick"})
    await confirm(person, Purpose.CONFIRM_EMAIL_NEW, {"new_email": "moved@example.com"})
    await confirm(person, Purpose.CONFIRM_PASSWORD, {"password_hash": new_hash})
    token = await one_time_tokens.issue(person.id, Purpose.RESET_PASSWORD, ttl_seconds=600)
    reset = await server.client.post(
        "/api/v1/auth/reset-password", json={"token": token, "new_password": "third-horse-battery"}
    )
    assert reset.status_code == 200, reset.text

    assert (await actions_by(person.id))[1:] == [
        "user.profile_changed",
        "user.email_changed",
        "user.password_changed",
        "user.password_reset",
    ]
    rows = await AuditEvent.filter(target_type="user", target_id=person.id).order_by("created_at")
    assert [row.changed_fields for row in rows] == [
        ["name", "nickname"],
        ["email", "email_verified"],
        ["password"],
        ["password"],
    ]
    # names only: no value of the change is in the log
    texts = str([(row.changed_fields, row.target_id, row.action) for row in rows])
    assert "moved@example.com" not in texts and "New Name" not in texts


async def test_account_erasure_is_recorded(server):
    person = await signed_in_user(server)
    response = await person.client.request("DELETE", "/api/v1/me", json={"password": PASSWORD})
    assert response.status_code == 200, response.text
    row = await AuditEvent.get(action="user.erased")
    assert (str(row.actor_id), row.target_id) == (person.id, person.id)


async def test_my_export_holds_what_i_did_and_what_was_done_to_my_account_and_nobody_elses(server):
    owner = await signed_in_with_global_role(server, "Owner")
    person = await signed_in_user(server)
    stranger = await signed_in_user(server)
    granted = await owner.client.patch(f"/api/v1/users/{person.id}", json={"global_role": "PlatformAdmin"})
    assert granted.status_code == 200, granted.text

    export = await person.client.get("/api/v1/me/export")

    assert export.status_code == 200, export.text
    events = export.json()["data"]["audit_events"]
    assert [event["action"] for event in events] == ["user.global_role_changed", "session.created"]
    assert events[0]["actor_id"] == owner.id
    assert all(event["actor_id"] != stranger.id for event in events)
    assert set(events[0]) >= {"id", "created_at", "action", "target_type", "target_id", "changed_fields"}
