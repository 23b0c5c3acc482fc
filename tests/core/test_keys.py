"""Client keys and the first-run .env."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import base58

from app.core.keys import generate_client_key, write_env_file
from app.core.settings_sources import load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_generated_client_key_is_cak_and_base58_of_32_bytes():
    key = generate_client_key()
    assert key.startswith("cak_")
    assert not set(key[4:]) & set("0OIl")
    assert len(base58.b58decode(key[4:])) == 32
    assert generate_client_key() != key


def test_keys_generate_command_prints_a_usable_key():
    result = subprocess.run(
        [sys.executable, "server.py", "keys", "generate"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    key = result.stdout.strip()
    settings = load_settings(
        ROOT / "config.toml", environ={"CLIENT_API_KEYS": key, "SECRET_KEY": "s" * 40}, dotenv_path=None
    )
    assert settings.security.client_api_keys == (key,)


def test_env_file_is_written_once_with_fresh_secrets(tmp_path: Path):
    path = tmp_path / ".env"
    values = write_env_file(path)
    assert values is not None
    settings = load_settings(ROOT / "config.toml", environ={}, dotenv_path=path)
    assert settings.security.client_api_keys == (values["CLIENT_API_KEYS"],)
    assert len(settings.security.setup_token) >= 24
    assert write_env_file(path) is None  # never overwritten
    # dev mode is `server.py dev`'s to turn on: a production start here must not find it on
    assert "TANDEM_DEV" not in path.read_text() and not settings.server.dev
    assert path.stat().st_mode & 0o077 == 0
