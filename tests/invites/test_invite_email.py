"""The invite email carries names one person chose to another person's mailbox, from us:
the organization's and the inviter's. Neither may add a link, markup or a header."""

from __future__ import annotations

import re

import pytest

from app.core.text import unlinkable
from models import Organization, User
from tests.conftest import TRUSTED_ORIGIN
from tests.invites.support import INVITE_SUBJECT, invite, organization_run_by
from tests.mail import text_of

pytestmark = pytest.mark.many_sign_ins
URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:example|com|net|org)\b")


def html_of(message) -> str:  # type: ignore[no-untyped-def]
    return message.get_body(preferencelist=("html",)).get_content()


async def test_a_link_in_the_organization_or_inviter_name_is_not_a_link_in_the_invite_email(
    mail_server, smtp_server
):
    inviter, organization = await organization_run_by(
        mail_server, name="Acme - sign in at https://evil.example/login or www.evil.example"
    )
    await User.filter(id=inviter.id).update(name="Support at evil.example")

    await invite(inviter, organization, "target@example.com", callback_url=f"{TRUSTED_ORIGIN}/join")

    message = await smtp_server.inbox.wait_for("target@example.com", INVITE_SUBJECT)
    for part in (text_of(message), html_of(message), message["Subject"]):
        found = URL.findall(part.replace("target@example.com", "the recipient"))
        assert all(url.startswith(f"{TRUSTED_ORIGIN}/join?token=") for url in found), found
        assert "evil" in part  # the names are shown, just not as links
    assert 'href="https://app.example.com/join?token=' in html_of(message)


async def test_markup_in_the_organization_name_is_escaped_in_the_html_email(mail_server, smtp_server):
    inviter, organization = await organization_run_by(
        mail_server, name='<a href="https://evil.example">Click</a><script>steal()</script>'
    )
    await User.filter(id=inviter.id).update(name="<img src=x onerror=alert(1)>")

    await invite(inviter, organization, "target@example.com")

    html = html_of(await smtp_server.inbox.wait_for("target@example.com", INVITE_SUBJECT))
    assert "<script" not in html and "<img" not in html and '<a href="https://evil' not in html
    assert "&lt;script&gt;" in html and "&lt;img" in html
    assert html.count("<a ") == 1  # ours


async def test_header_injection_through_the_organization_or_inviter_name_is_refused(mail_server, smtp_server):
    inviter, organization = await organization_run_by(mail_server)
    # rows from before the display-name rule, or written around it
    await Organization.filter(id=organization.id).update(name="Acme\r\nBcc: victim@example.com")
    await User.filter(id=inviter.id).update(name="Eve\nReply-To: eve@evil.example\r\n\r\nFake body")

    await invite(inviter, organization, "target@example.com")

    message = await smtp_server.inbox.wait_for("target@example.com", INVITE_SUBJECT)
    assert message["Bcc"] is None and message["Reply-To"] is None
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
    assert not any(line.startswith(("Bcc:", "Reply-To:")) for line in text_of(message).splitlines())
    assert smtp_server.inbox.to("victim@example.com") == []


@pytest.mark.parametrize(
    "name",
    [
        "https://evil.example/x",
        "evil.example",
        "evil。example",
        "evil．example",
        "HTTPS：//evil",
        "mailto:eve@evil.example",
        "Acme\nhttps://evil.example",
    ],
)
def test_unlinkable_leaves_no_url_a_mail_client_would_link(name):
    shown = unlinkable(name)

    assert URL.search(shown) is None
    assert ":" not in shown and "." not in shown and "\n" not in shown


def test_unlinkable_keeps_ordinary_names_as_they_read():
    assert unlinkable("Acme Inc.") == "Acme Inc."
    assert unlinkable("Team: Sales") == "Team: Sales"
    assert unlinkable("Zoë O'Brien") == "Zoë O'Brien"
