"""Where email goes: an SMTP server, or `.eml` files in a folder (embedded default)."""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from app.core.settings import EmailSettings


def build_message(payload: dict[str, Any], *, sender: str) -> EmailMessage:
    """payload: to, subject, text, optional html, message_id (ours, unique per email)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    message["Date"] = formatdate(localtime=False)
    domain = sender.rsplit("@", 1)[-1].rstrip(">") or "tandem.localhost"
    message["Message-ID"] = make_msgid(idstring=payload["message_id"], domain=domain)
    message["X-Tandem-Message-Id"] = payload["message_id"]
    message.set_content(payload["text"])
    if payload.get("html"):
        message.add_alternative(payload["html"], subtype="html")
    return message


class Mailer(Protocol):
    def send(self, message: EmailMessage, *, message_id: str) -> None: ...

    def already_sent(self, message_id: str) -> bool: ...


class FolderMailer:
    """Writes each email as `<message_id>.eml`; the file itself records that it was sent."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def _path(self, message_id: str) -> Path:
        safe = "".join(c for c in message_id if c.isalnum() or c in "-_.")
        return self.folder / f"{safe}.eml"

    def already_sent(self, message_id: str) -> bool:
        return self._path(message_id).exists()

    def send(self, message: EmailMessage, *, message_id: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self._path(message_id)
        partial = target.with_suffix(".eml.tmp")
        partial.write_bytes(bytes(message))
        os.replace(partial, target)  # atomic: a reader never sees half an email


class SmtpMailer:
    """smtp://user:pass@host:port, smtps:// for implicit TLS, `?starttls=true` to upgrade."""

    def __init__(self, url: str, *, timeout: float):
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("email.smtp_url: must be smtp://host:port or smtps://host:port")
        self.host = parts.hostname
        self.implicit_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.starttls = parse_qs(parts.query).get("starttls", ["false"])[0].lower() == "true"
        self.timeout = timeout

    def already_sent(self, message_id: str) -> bool:
        return False  # SMTP keeps no record we can read; the ledger in tasks.runtime does

    def send(self, message: EmailMessage, *, message_id: str) -> None:
        context = ssl.create_default_context()
        smtp_class = smtplib.SMTP_SSL if self.implicit_tls else smtplib.SMTP
        kwargs: dict[str, Any] = {"timeout": self.timeout}
        if self.implicit_tls:
            kwargs["context"] = context
        with smtp_class(self.host, self.port, **kwargs) as client:
            if self.starttls:
                client.starttls(context=context)
            if self.username:
                client.login(self.username, self.password or "")
            client.send_message(message)


def mailer_from_settings(settings: EmailSettings) -> Mailer:
    if settings.backend == "smtp":
        return SmtpMailer(settings.smtp_url, timeout=settings.timeout_seconds)
    return FolderMailer(settings.folder)
