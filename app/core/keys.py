"""Generated secrets: client keys (SPEC §1) and the development `.env` (`server.py dev`)."""

from __future__ import annotations

import secrets
from pathlib import Path

import base58

CLIENT_KEY_PREFIX = "cak_"


def generate_client_key() -> str:
    """`cak_` + base58 (no 0, O, I, l) of 32 random bytes."""
    return CLIENT_KEY_PREFIX + base58.b58encode(secrets.token_bytes(32)).decode()


def write_env_file(path: Path) -> dict[str, str] | None:
    """Create `.env` with fresh secrets; None (and no change) when it already exists."""
    if path.exists():
        return None
    values = {
        "CLIENT_API_KEYS": generate_client_key(),
        "SECRET_KEY": secrets.token_urlsafe(48),
        "SETUP_TOKEN": secrets.token_urlsafe(24),
    }
    lines = [
        "# Written by `python server.py dev` (`make run`) on first run. Keep it out of version control.",
        "# Comma-separate several client keys to rotate: add the new one, roll clients, remove the old.",
        *(f"{name}={value}" for name, value in values.items()),
        "# Development mode is not set here: `python server.py dev` turns it on by itself, and",
        "# `python server.py` (production) ignores it in this file.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    path.chmod(0o600)
    return values
