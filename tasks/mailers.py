"""Where email goes: an SMTP server, or `.eml` files in a folder (the embedded default).

Both backends take an `EmailMessage` built by `build_message` from a plain payload
{to, subject, text, html (optional), message_id}; `message_id` is ours, unique per email.
"""

from __future__ import annotations

import copy
import os
import re
import smtplib
import ssl
import tempfile
from collections.abc import Mapping
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from app.core.settings import EmailSettings, SettingsError

# Our ids name files and Message-ID headers, so they are restricted to characters that
# are safe in both; an id that needed escaping could collide with another one.
MESSAGE_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,128}")
# RFC 5322 §2.1.1: no line of a message may be longer than this (without its CRLF)
MAX_LINE_OCTETS = 998


class InvalidEmail(ValueError):
    """The payload can never become an email; retrying cannot help."""


def _text(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str) or not value:
        raise InvalidEmail(f"payload.{key} must be a non-empty string")
    return value


def build_message(payload: Mapping[str, Any], *, sender: str) -> EmailMessage:
    message_id = _text(payload, "message_id")
    if not MESSAGE_ID_PATTERN.fullmatch(message_id):
        raise InvalidEmail("payload.message_id must match [A-Za-z0-9._-]{1,128}")
    html = payload.get("html")
    if html is not None and not isinstance(html, str):
        raise InvalidEmail("payload.html must be a string when present")
    domain = parseaddr(sender)[1].rpartition("@")[2] or "tandem.localhost"
    message = EmailMessage()
    try:
        # the default policy refuses CR/LF in header values: no header injection
        message["From"] = sender
        message["To"] = _text(payload, "to")
        message["Subject"] = _text(payload, "subject")
    except ValueError as error:
        raise InvalidEmail(str(error)) from None
    message["Date"] = formatdate(usegmt=True)
    # the same id on every attempt, so a receiving server can recognise a duplicate too
    message["Message-ID"] = f"<{message_id}@{domain}>"
    text = _text(payload, "text")
    message.set_content(text, cte=transfer_encoding(text))
    if html:
        message.add_alternative(html, subtype="html", cte=transfer_encoding(html))
    return message


def transfer_encoding(text: str) -> str:
    """UTF-8 as it is (8bit), so that an `.eml` file reads with `cat`; quoted-printable
    only for a line too long for an 8-bit body (RFC 5322 §2.1.1)."""
    if text.isascii() and all(len(line) <= MAX_LINE_OCTETS for line in text.splitlines()):
        return "7bit"
    longest = max((len(line.encode()) for line in text.splitlines()), default=0)
    return "8bit" if longest <= MAX_LINE_OCTETS else "quoted-printable"


def seven_bit(message: EmailMessage) -> EmailMessage:
    """A copy whose 8-bit parts are quoted-printable, for an SMTP server that does not
    take 8-bit data (no 8BITMIME, RFC 6152)."""
    converted = copy.deepcopy(message)
    for part in converted.walk():
        if part.get("Content-Transfer-Encoding") == "8bit":
            part.set_content(part.get_content(), subtype=part.get_content_subtype(), cte="quoted-printable")
    return converted


class Mailer(Protocol):
    def send(self, message: EmailMessage, *, message_id: str) -> None: ...


class FolderMailer:
    """Writes each email to `<folder>/<message_id>.eml`; the file records that it was sent."""

    def __init__(self, *, folder: str | Path) -> None:
        self.folder = Path(folder)

    def path_for(self, message_id: str) -> Path:
        return self.folder / f"{message_id}.eml"

    def has_sent(self, message_id: str) -> bool:
        return self.path_for(message_id).exists()

    def send(self, message: EmailMessage, *, message_id: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # a temporary file of our own (not `*.eml`), then a rename: a reader never sees
        # half an email, and two concurrent deliveries of one id still leave one file
        handle, partial = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(message.as_bytes(policy=policy.SMTP))  # CRLF line ends, RFC 5322
                file.flush()
                os.fsync(file.fileno())
            os.replace(partial, self.path_for(message_id))
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise


class SmtpMailer:
    """smtp://user:pass@host:port; smtps:// for implicit TLS; `?starttls=true` to upgrade."""

    def __init__(self, *, smtp_url: str, timeout_seconds: float) -> None:
        parts = urlsplit(smtp_url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise SettingsError("email.smtp_url: must be smtp://host:port or smtps://host:port")
        self.host = parts.hostname
        self.implicit_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else ""
        self.starttls = parse_qs(parts.query).get("starttls", ["false"])[0].lower() == "true"
        self.timeout_seconds = timeout_seconds  # per connect and per socket operation

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            return smtplib.SMTP_SSL(
                self.host,
                self.port,
                timeout=self.timeout_seconds,
                context=ssl.create_default_context(),
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds)

    def send(self, message: EmailMessage, *, message_id: str) -> None:
        # Any failure raises (OSError, smtplib.SMTPException): Dramatiq retries it.
        with self._connect() as client:
            if self.starttls:
                client.starttls(context=ssl.create_default_context())
            if self.username is not None:
                client.login(self.username, self.password)
            client.ehlo_or_helo_if_needed()
            if client.has_extn("8bitmime"):
                client.send_message(message, mail_options=["BODY=8BITMIME"])
            else:
                client.send_message(seven_bit(message))


def mailer_from_settings(settings: EmailSettings) -> FolderMailer | SmtpMailer:
    if settings.backend == "smtp":
        return SmtpMailer(smtp_url=settings.smtp_url, timeout_seconds=settings.timeout_seconds)
    return FolderMailer(folder=settings.folder)
