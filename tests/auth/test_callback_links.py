"""`callback_url` end to end (SPEC §2): every route that takes one refuses what could
forge or redirect a link, and the email that arrives (outbox → broker → worker →
aiosmtpd) holds exactly one URL, the one the server built."""

from __future__ import annotations

import re

import httpx
import pytest

from models import OneTimeToken, OutboxMessage
from tests.conftest import TRUSTED_ORIGIN
from tests.factories import PASSWORD, sign_up, signed_in_user
from tests.mail import text_of, token_in
from tests.problems import assert_problem

URL = re.compile(r"https?://[^\s<>\"]+")
INJECTED = f"{TRUSTED_ORIGIN}/reset\r\nhttps://evil.example/steal?"
NEW_PASSWORD = "a-brand-new-passphrase"


def assert_refused(response: httpx.Response) -> None:
    body = assert_problem(response, 400, "VALIDATION_ERROR")
    assert [item["field"] for item in body["errors"]] == ["callback_url"]


async def forgot_password(client: httpx.AsyncClient, email: str, callback_url: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/forgot-password", json={"email": email, "callback_url": callback_url}
    )


async def reset_emails_staged() -> int:
    return sum(
        "reset" in str(row.payload.get("subject", "")).lower() or "callback_url" in row.payload
        for row in await OutboxMessage.all()
    )


async def test_callback_url_with_line_break_cannot_inject_a_second_link(mail_server, smtp_server):
    user = await sign_up(mail_server.client)

    assert_refused(await forgot_password(mail_server.client, user["email"], INJECTED))
    assert await reset_emails_staged() == 0

    callback = f"{TRUSTED_ORIGIN}/reset?lang=en#top"
    assert (await forgot_password(mail_server.client, user["email"], callback)).status_code == 200
    message = await smtp_server.inbox.wait_for(user["email"], "reset your")
    token = token_in(message)
    # one reset email, and in it one URL: ours, rebuilt from the parsed callback
    assert [m["Subject"] for m in smtp_server.inbox.to(user["email"]) if "reset" in m["Subject"].lower()] == [
        message["Subject"]
    ]
    assert URL.findall(text_of(message)) == [f"{TRUSTED_ORIGIN}/reset?lang=en&token={token}#top"]


@pytest.mark.parametrize(
    "callback_url",
    [
        f"{TRUSTED_ORIGIN}/reset https://evil.example/steal",
        f"{TRUSTED_ORIGIN}/reset\u00a0https://evil.example/steal",
        f"{TRUSTED_ORIGIN}/reset\u2028https://evil.example/steal",
        f" {TRUSTED_ORIGIN}/reset",
    ],
)
async def test_callback_url_with_space_cannot_show_a_second_link(mail_server, smtp_server, callback_url):
    user = await sign_up(mail_server.client)

    assert_refused(await forgot_password(mail_server.client, user["email"], callback_url))
    assert await reset_emails_staged() == 0


async def test_callback_url_with_backslash_cannot_leave_the_trusted_host(mail_server):
    user = await sign_up(mail_server.client)

    for callback_url in (f"{TRUSTED_ORIGIN}\\@evil.example/", f"{TRUSTED_ORIGIN}/\\\\evil.example/"):
        assert_refused(await forgot_password(mail_server.client, user["email"], callback_url))
    assert await reset_emails_staged() == 0


async def test_callback_url_with_nul_or_delete_is_refused_on_its_field(mail_server):
    user = await sign_up(mail_server.client)

    for sneaked in ("\x00", "\x7f", "\x9b", "\t"):
        response = await forgot_password(
            mail_server.client, user["email"], f"{TRUSTED_ORIGIN}/reset{sneaked}x"
        )
        assert_refused(response)
    assert await reset_emails_staged() == 0


@pytest.mark.parametrize(
    "callback_url",
    [
        "https://app.example.com.evil.net/reset",
        "https://app.example.com:444/reset",
        "http://app.example.com/reset",
        "https://user@app.example.com/reset",
        "https://app.example.com@evil.net/reset",
        "https://аpp.example.com/reset",  # Cyrillic а
        "https://xn--pp-6kc.example.com/reset",
        "//app.example.com/reset",
    ],
)
async def test_callback_url_on_lookalike_origin_is_refused(mail_server, callback_url):
    user = await sign_up(mail_server.client)

    assert_refused(await forgot_password(mail_server.client, user["email"], callback_url))
    assert await reset_emails_staged() == 0


async def test_callback_url_carrying_its_own_token_is_refused(mail_server):
    # the web app would read the sender's token first and act on the sender's account
    user = await sign_up(mail_server.client)

    response = await forgot_password(
        mail_server.client, user["email"], f"{TRUSTED_ORIGIN}/reset?token=attackers-own-token"
    )
    assert_refused(response)


async def test_every_route_that_takes_a_callback_url_applies_the_same_rule(mail_server):
    person = await signed_in_user(mail_server)
    anonymous = [
        (
            "/api/v1/auth/sign-up",
            {"name": "Eve", "nickname": "eve-1", "email": "eve1@example.com", "password": PASSWORD},
        ),
        ("/api/v1/auth/forgot-password", {"email": person.email}),
    ]
    signed_in = [
        ("/api/v1/auth/send-verification-email", {}),
        ("/api/v1/profile/request-profile-change", {"name": "Eve", "nickname": "eve-2"}),
        ("/api/v1/profile/request-email-change", {"new_email": "eve2@example.com"}),
        (
            "/api/v1/profile/request-password-change",
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        ),
    ]
    tokens_before = await OneTimeToken.all().count()

    for path, body in anonymous:
        assert_refused(await mail_server.client.post(path, json={**body, "callback_url": INJECTED}))
    for path, body in signed_in:
        assert_refused(await person.client.post(path, json={**body, "callback_url": INJECTED}))

    assert await OneTimeToken.all().count() == tokens_before  # nothing issued, nothing sent


async def test_the_second_step_of_an_email_change_links_to_the_same_rebuilt_callback(
    mail_server, smtp_server
):
    person = await signed_in_user(mail_server)
    callback = "HTTPS://App.Example.com:443/confirm?step=email"
    await person.client.post(
        "/api/v1/profile/request-email-change",
        json={"new_email": "moved@example.com", "callback_url": callback},
    )
    first = await smtp_server.inbox.wait_for(person.email, "change of your")
    assert URL.findall(text_of(first)) == [f"{TRUSTED_ORIGIN}/confirm?step=email&token={token_in(first)}"]

    confirmed = await mail_server.client.post(
        "/api/v1/profile/confirm-change", json={"token": token_in(first)}
    )
    assert confirmed.status_code == 200, confirmed.text
    second = await smtp_server.inbox.wait_for("moved@example.com", "verify your new")
    assert URL.findall(text_of(second)) == [f"{TRUSTED_ORIGIN}/confirm?step=email&token={token_in(second)}"]
