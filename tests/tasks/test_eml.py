"""Emails as people read them: `.eml` files readable with `cat` (UTF-8 as it is), and
over SMTP 8-bit only to a server that says it takes 8-bit data (RFC 6152)."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tasks.mailers import FolderMailer, SmtpMailer, build_message
from tests.redis_process import free_port

TEXT = "Hallo Zoë — bitte bestätige deine Adresse: https://app.example.com/verify?token=abc\n"
HTML = '<p>Hallo Zoë — bitte <a href="https://app.example.com/verify?token=abc">bestätige</a></p>'


def content(message, subtype: str) -> str:
    """A part's text with its line ends as written (CRLF on the wire and in files) made \\n."""
    return message.get_body((subtype,)).get_content().replace("\r\n", "\n")


def payload(**fields: str) -> dict[str, str]:
    return {
        "to": "zoe@example.com",
        "subject": "Bitte bestätigen",
        "text": TEXT,
        "html": HTML,
        "message_id": "msg-1",
        **fields,
    }


def test_eml_file_shows_non_ascii_text_as_it_is_when_read_with_cat(tmp_path: Path):
    mailer = FolderMailer(folder=tmp_path)
    mailer.send(build_message(payload(), sender="Tandem <no-reply@tandem.localhost>"), message_id="msg-1")
    raw = (tmp_path / "msg-1.eml").read_bytes()
    shown = raw.decode("utf-8")  # what `cat` prints on a UTF-8 terminal
    assert "Hallo Zoë — bitte bestätige deine Adresse" in shown
    assert "bestätige</a>" in shown
    assert "Content-Transfer-Encoding: 8bit" in shown
    assert "quoted-printable" not in shown and "base64" not in shown
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert content(parsed, "plain") == TEXT
    assert content(parsed, "html").strip() == HTML


def test_a_line_too_long_for_an_8bit_body_is_quoted_printable_so_no_server_cuts_it(tmp_path: Path):
    long_line = "ä" * 600  # 1200 octets: over RFC 5322's 998
    message = build_message(payload(html=f"<p>{long_line}</p>"), sender="t@tandem.localhost")
    raw = message.as_bytes(policy=email.policy.SMTP)
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert long_line in content(parsed, "html")
    assert parsed.get_body(("plain",))["Content-Transfer-Encoding"] == "8bit"


@dataclass
class Recorder:
    """Keeps what arrives: the MAIL FROM options and the bytes of the message."""

    eight_bit: bool
    mail_options: list[list[str]] = field(default_factory=list)
    contents: list[bytes] = field(default_factory=list)

    async def handle_EHLO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        return responses if self.eight_bit else [r for r in responses if "8BITMIME" not in r]

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.mail_options.append(list(envelope.mail_options))
        self.contents.append(envelope.original_content or b"")
        return "250 OK"


@pytest.fixture(params=[True, False], ids=["8BITMIME", "7-bit only"])
def smtp_recorder(request) -> Iterator[tuple[Recorder, str]]:
    recorder = Recorder(eight_bit=request.param)
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    yield recorder, f"smtp://127.0.0.1:{port}"
    controller.stop()


def test_smtp_sends_8bit_only_to_a_server_that_announces_8bitmime(smtp_recorder):
    recorder, url = smtp_recorder
    mailer = SmtpMailer(smtp_url=url, timeout_seconds=5)
    mailer.send(build_message(payload(), sender="t@tandem.localhost"), message_id="msg-1")
    [options], [raw] = recorder.mail_options, recorder.contents
    if recorder.eight_bit:
        assert "BODY=8BITMIME" in options
        assert "Zoë".encode() in raw
    else:
        assert "BODY=8BITMIME" not in options
        assert raw.isascii()  # quoted-printable: nothing for a 7-bit relay to mangle
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert content(parsed, "plain") == TEXT
    assert content(parsed, "html").strip() == HTML
