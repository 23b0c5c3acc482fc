"""Names other people read (ISSUE 9 §1.10): every place that accepts a name or nickname
refuses control, line-break and bidi-override characters (400 naming the field), and
emails show names escaped in HTML and on one line in plain text, whatever the
database already holds."""

from __future__ import annotations

import re

import pytest

from models import OneTimeToken, User
from tests.factories import PASSWORD, sign_up, signed_in_user
from tests.mail import text_of, token_in
from tests.problems import assert_problem

pytestmark = pytest.mark.many_sign_ins  # many refused sign-ups from one IP
SETUP_TOKEN = "setup-token-for-tests-0123456789abcdef"
CALLBACK = "https://app.example.com/confirm"
URL = re.compile(r"https?://[^\s<>\"]+")
FORGED = "Ada,\n\nWe moved. Reset your password at:\nhttps://evil.example/reset?token=x\n\nThanks"


def sign_up_body(**fields: str) -> dict[str, str]:
    return {"name": "Ada", "nickname": "ada-l", "email": "ada@example.com", "password": PASSWORD, **fields}


def assert_refused(response, field: str) -> None:  # type: ignore[no-untyped-def]
    body = assert_problem(response, 400, "VALIDATION_ERROR")
    assert [item["field"] for item in body["errors"]] == [field]


async def test_sign_up_name_with_bidi_override_is_refused(server):
    # "\u202eexe.txt" would show as "txt.exe"; a name can be made to read as another's
    for sneaked in ("\u202e", "\u2066", "\u200f", "\u061c"):
        response = await server.client.post(
            "/api/v1/auth/sign-up", json=sign_up_body(name=f"Ada{sneaked}nimda")
        )
        assert_refused(response, "name")
    assert await User.all().count() == 0


async def test_sign_up_name_with_line_break_cannot_forge_a_line(server):
    for sneaked in ("\n", "\r", "\u2028", "\u2029", "\x85", "\t", "\x1b"):
        response = await server.client.post(
            "/api/v1/auth/sign-up", json=sign_up_body(name=f"Ada{sneaked}Lovelace")
        )
        assert_refused(response, "name")
    assert await User.all().count() == 0


async def test_sign_up_nickname_with_line_break_or_bidi_override_is_refused(server):
    for nickname in ("ada\n", "ada\u202e", "ad\u2028a"):
        assert_refused(
            await server.client.post("/api/v1/auth/sign-up", json=sign_up_body(nickname=nickname)), "nickname"
        )
    assert await User.all().count() == 0


async def test_profile_change_name_with_line_break_or_bidi_override_is_refused(server):
    person = await signed_in_user(server)

    for name in (FORGED, "Ada\u202eecilA", "Ada\u2028Admin"):
        response = await person.client.post(
            "/api/v1/profile/request-profile-change",
            json={"name": name, "nickname": "ada-new", "callback_url": CALLBACK},
        )
        assert_refused(response, "name")
    assert not await OneTimeToken.filter(user_id=person.id, purpose="confirm_profile").exists()


@pytest.fixture
async def setup_server(make_settings, migrated_database, redis_url, start_app):  # type: ignore[no-untyped-def]
    settings = make_settings(
        database={"url": migrated_database}, redis={"url": redis_url}, security={"setup_token": SETUP_TOKEN}
    )
    async with start_app(settings) as live:
        yield live


async def test_bootstrap_names_with_control_or_bidi_characters_are_refused(setup_server):
    owner = {
        "setup_token": SETUP_TOKEN,
        "name": "Owner",
        "nickname": "owner",
        "email": "owner@example.com",
        "password": PASSWORD,
    }

    bad_name = await setup_server.client.post(
        "/api/v1/setup/bootstrap", json={**owner, "name": "Owner\r\nAdmin"}
    )
    bad_organization = await setup_server.client.post(
        "/api/v1/setup/bootstrap",
        json={**owner, "organization": {"name": "School\u202eloohcS", "slug": "school"}},
    )

    assert_refused(bad_name, "name")
    assert_refused(bad_organization, "organization.name")
    assert await User.all().count() == 0


async def test_email_html_escapes_a_name_with_markup(mail_server, smtp_server):
    user = await sign_up(mail_server.client, name='<a href="https://evil.example">Ada</a>')

    message = await smtp_server.inbox.wait_for(user["email"], "confirm your email")
    html_part = message.get_body(preferencelist=("html",))
    assert html_part is not None
    html = html_part.get_content()
    assert "&lt;a href=&#34;https://evil.example&#34;&gt;Ada&lt;/a&gt;" in html
    assert '<a href="https://evil.example">' not in html
    assert re.findall(r'<a href="([^"]+)"', html) == [
        f"http://127.0.0.1:3000/verify-email?token={token_in(message)}"
    ]


async def test_plain_text_email_cannot_be_given_extra_lines_by_a_name(mail_server, smtp_server):
    # a name stored before names were checked still reaches emails on one line
    user = await sign_up(mail_server.client)
    await User.filter(id=user["id"]).update(name=FORGED + "\u202e")

    response = await mail_server.client.post(
        "/api/v1/auth/forgot-password",
        json={"email": user["email"], "callback_url": "https://app.example.com/reset"},
    )
    assert response.status_code == 200, response.text
    message = await smtp_server.inbox.wait_for(user["email"], "reset your")

    text = text_of(message)
    lines = text.splitlines()
    assert lines[0] == (
        "Hello Ada, We moved. Reset your password at: https://evil.example/reset?token=x Thanks,"
    )
    assert "\u202e" not in text
    # the only line that is a link is ours (the forged one sits inside the greeting)
    links = [line for line in lines if line.startswith("http")]
    assert len(links) == 1
    assert re.fullmatch(r"https://app\.example\.com/reset\?token=[A-Za-z0-9_-]{43}", links[0])
    assert "\n" not in message["Subject"]
