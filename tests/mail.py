"""An SMTP server (aiosmtpd) that keeps what it receives, and helpers to read tokens
out of the emails, as a user would from their inbox."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.redis_process import free_port

TOKEN_IN_LINK = re.compile(r"[?&]token=([A-Za-z0-9_-]+)")


@dataclass
class Inbox:
    """aiosmtpd handler: keeps each message; answers 451 to the first `refuse` DATA."""

    refuse: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse > 0:
            self.refuse -= 1
            return "451 Try again later"
        raw = envelope.original_content or b""
        self.messages.append(email.message_from_bytes(raw, policy=email.policy.default))
        return "250 OK"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    async def wait_for(
        self, address: str, subject: str, *, count: int = 1, timeout: float = 15
    ) -> EmailMessage:
        """The `count`-th email to `address` whose subject contains `subject`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.to(address) if subject.lower() in m["Subject"].lower()]
            if len(found) >= count:
                return found[count - 1]
            await asyncio.sleep(0.05)
        subjects = [(m["To"], m["Subject"]) for m in self.messages]
        raise AssertionError(f"no email {subject!r} #{count} to {address}; received {subjects}")


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the email has no text part"
    return part.get_content()


def token_in(message: EmailMessage) -> str:
    """The token of the link in the email's text part."""
    match = TOKEN_IN_LINK.search(text_of(message))
    assert match, f"no token link in: {text_of(message)!r}"
    return match.group(1)


@dataclass
class SmtpServer:
    inbox: Inbox
    url: str


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    inbox = Inbox()
    port = free_port()
    # AUTH over plain text is for this test server only, so that login can be exercised
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield SmtpServer(inbox=inbox, url=f"smtp://127.0.0.1:{port}")
    controller.stop()
