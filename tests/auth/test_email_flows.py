"""SPEC §2 emailed flows, end to end: outbox → Redis broker → worker → aiosmtpd, with
the token read out of the email the SMTP server received."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import time_machine

from app.auth import one_time_tokens
from app.auth.one_time_tokens import Purpose
from models import OutboxMessage
from tests.conftest import TRUSTED_ORIGIN
from tests.factories import PASSWORD, sign_up, use_cookie
from tests.mail import text_of, token_in
from tests.problems import assert_problem

CALLBACK = f"{TRUSTED_ORIGIN}/reset"
NEW_PASSWORD = "a-brand-new-passphrase"


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/sign-in", json={"email": email, "password": password})


async def signed_in_client(server, email: str, password: str = PASSWORD) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    client = httpx.AsyncClient(base_url=server.url, headers=dict(server.client.headers), timeout=10)
    response = await sign_in(client, email, password)
    assert response.status_code == 200, response.text
    use_cookie(client, response.cookies["tandem_session"])
    return client


async def test_sign_up_emails_a_link_that_verifies_the_address(mail_server, smtp_server):
    user = await sign_up(mail_server.client, callback_url=f"{TRUSTED_ORIGIN}/welcome")
    me = await signed_in_client(mail_server, user["email"])
    assert (await me.get("/api/v1/me")).json()["data"]["email_verified"] is False

    message = await smtp_server.inbox.wait_for(user["email"], "confirm your email")
    assert f"{TRUSTED_ORIGIN}/welcome?token=" in text_of(message)
    assert message.get_body(preferencelist=("html",)) is not None
    response = await mail_server.client.post("/api/v1/auth/verify-email", json={"token": token_in(message)})

    assert response.status_code == 200, response.text
    # the cached session snapshot was refreshed: /me shows it at once
    assert (await me.get("/api/v1/me")).json()["data"]["email_verified"] is True
    again = await mail_server.client.post("/api/v1/auth/verify-email", json={"token": token_in(message)})
    assert_problem(again, 422, "INVALID_TOKEN")


async def test_sign_up_without_callback_links_to_the_web_app(mail_server, smtp_server):
    user = await sign_up(mail_server.client)

    message = await smtp_server.inbox.wait_for(user["email"], "confirm your email")

    app_url = mail_server.state.settings.accounts.app_url
    assert f"{app_url}/verify-email?token=" in text_of(message)


async def test_resending_verification_supersedes_the_first_link(mail_server, smtp_server):
    user = await sign_up(mail_server.client)
    first = token_in(await smtp_server.inbox.wait_for(user["email"], "confirm your email"))
    me = await signed_in_client(mail_server, user["email"])

    response = await me.post("/api/v1/auth/send-verification-email", json={})
    assert response.status_code == 200, response.text
    second = token_in(await smtp_server.inbox.wait_for(user["email"], "confirm your email", count=2))

    assert_problem(await me.post("/api/v1/auth/verify-email", json={"token": first}), 422, "INVALID_TOKEN")
    assert (await me.post("/api/v1/auth/verify-email", json={"token": second})).status_code == 200
    already = await me.post("/api/v1/auth/send-verification-email", json={})
    assert_problem(already, 422, "UNPROCESSABLE")


async def test_send_verification_email_needs_a_session(mail_server):
    response = await mail_server.client.post("/api/v1/auth/send-verification-email", json={})
    assert_problem(response, 401, "UNAUTHENTICATED")


async def test_reset_password_end_to_end_revokes_every_session(mail_server, smtp_server):
    user = await sign_up(mail_server.client)
    before = await signed_in_client(mail_server, user["email"])

    response = await mail_server.client.post(
        "/api/v1/auth/forgot-password", json={"email": user["email"].upper(), "callback_url": CALLBACK}
    )
    assert response.json() == {"success": True}
    message = await smtp_server.inbox.wait_for(user["email"], "reset your")
    assert f"{CALLBACK}?token=" in text_of(message)

    reset = await mail_server.client.post(
        "/api/v1/auth/reset-password", json={"token": token_in(message), "new_password": NEW_PASSWORD}
    )

    assert reset.status_code == 200, reset.text
    assert_problem(await before.get("/api/v1/me"), 401, "UNAUTHENTICATED")
    assert (await sign_in(mail_server.client, user["email"], PASSWORD)).status_code == 401
    assert (await sign_in(mail_server.client, user["email"], NEW_PASSWORD)).status_code == 200
    await smtp_server.inbox.wait_for(user["email"], "password was changed")
    reused = await mail_server.client.post(
        "/api/v1/auth/reset-password",
        json={"token": token_in(message), "new_password": "yet-another-passphrase"},
    )
    assert_problem(reused, 422, "INVALID_TOKEN")
    assert (await sign_in(mail_server.client, user["email"], NEW_PASSWORD)).status_code == 200


async def test_forgot_password_for_an_unknown_email_answers_the_same_and_sends_nothing(
    mail_server, smtp_server
):
    known = await sign_up(mail_server.client)
    unknown = await mail_server.client.post(
        "/api/v1/auth/forgot-password", json={"email": "nobody@example.com", "callback_url": CALLBACK}
    )
    existing = await mail_server.client.post(
        "/api/v1/auth/forgot-password", json={"email": known["email"], "callback_url": CALLBACK}
    )

    assert unknown.status_code == existing.status_code == 200
    assert unknown.json() == existing.json() == {"success": True}
    await smtp_server.inbox.wait_for(known["email"], "reset your")
    assert smtp_server.inbox.to("nobody@example.com") == []


async def test_untrusted_callback_url_is_400_and_sends_nothing(mail_server, smtp_server):
    user = await sign_up(mail_server.client)
    for url in (
        "https://evil.example/reset",
        f"{TRUSTED_ORIGIN}.evil.example/reset",
        f"https://user@{TRUSTED_ORIGIN[8:]}@evil.example/",
        "javascript:alert(1)",
    ):
        response = await mail_server.client.post(
            "/api/v1/auth/forgot-password", json={"email": user["email"], "callback_url": url}
        )
        body = assert_problem(response, 400, "VALIDATION_ERROR")
        assert body["errors"][0]["field"] == "callback_url"
    # only the verification email of the sign-up was ever staged for this address
    staged = [m.payload["subject"] for m in await OutboxMessage.all()]
    delivered = [m["Subject"] for m in smtp_server.inbox.to(user["email"])]
    assert not any("reset" in s.lower() for s in staged + delivered)


async def test_an_expired_reset_token_is_422_and_changes_nothing(mail_server, smtp_server):
    user = await sign_up(mail_server.client)
    await mail_server.client.post(
        "/api/v1/auth/forgot-password", json={"email": user["email"], "callback_url": CALLBACK}
    )
    token = token_in(await smtp_server.inbox.wait_for(user["email"], "reset your"))
    ttl = mail_server.state.settings.accounts.email_token_seconds

    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=ttl + 5), tick=True):
        response = await mail_server.client.post(
            "/api/v1/auth/reset-password", json={"token": token, "new_password": NEW_PASSWORD}
        )

    assert_problem(response, 422, "INVALID_TOKEN")
    assert (await sign_in(mail_server.client, user["email"], PASSWORD)).status_code == 200


async def test_a_token_for_another_purpose_or_malformed_is_refused(mail_server, smtp_server):
    user = await sign_up(mail_server.client)
    verification = token_in(await smtp_server.inbox.wait_for(user["email"], "confirm your email"))

    wrong_purpose = await mail_server.client.post(
        "/api/v1/auth/reset-password", json={"token": verification, "new_password": NEW_PASSWORD}
    )
    malformed = await mail_server.client.post(
        "/api/v1/auth/reset-password", json={"token": "short", "new_password": NEW_PASSWORD}
    )

    assert_problem(wrong_purpose, 422, "INVALID_TOKEN")
    assert_problem(malformed, 400, "VALIDATION_ERROR")
    assert (await sign_in(mail_server.client, user["email"], PASSWORD)).status_code == 200
    # the verification token was not spent by the failed attempt
    ok = await mail_server.client.post("/api/v1/auth/verify-email", json={"token": verification})
    assert ok.status_code == 200


async def test_a_token_only_ever_changes_its_own_user(mail_server, smtp_server):
    alice = await sign_up(mail_server.client)
    bob = await sign_up(mail_server.client)
    alice_client = await signed_in_client(mail_server, alice["email"])
    bob_token = await one_time_tokens.issue(bob["id"], Purpose.RESET_PASSWORD, ttl_seconds=3600)

    # Alice, signed in, spends Bob's token: Bob's password changes, never Alice's
    response = await alice_client.post(
        "/api/v1/auth/reset-password", json={"token": bob_token, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 200
    assert (await sign_in(mail_server.client, alice["email"], PASSWORD)).status_code == 200
    assert (await sign_in(mail_server.client, bob["email"], NEW_PASSWORD)).status_code == 200
    assert (await alice_client.get("/api/v1/me")).status_code == 200


async def test_reset_refuses_a_common_new_password_and_keeps_the_token(mail_server, smtp_server):
    user = await sign_up(mail_server.client)
    await mail_server.client.post(
        "/api/v1/auth/forgot-password", json={"email": user["email"], "callback_url": CALLBACK}
    )
    token = token_in(await smtp_server.inbox.wait_for(user["email"], "reset your"))

    weak = await mail_server.client.post(
        "/api/v1/auth/reset-password", json={"token": token, "new_password": "password1"}
    )

    assert_problem(weak, 400, "VALIDATION_ERROR")
    strong = await mail_server.client.post(
        "/api/v1/auth/reset-password", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert strong.status_code == 200
