"""Where settings come from, lowest to highest precedence: `config.toml` → `.env` file
→ process environment (→ `overrides`, for tests and the dev command). One place turns
them into a validated `Settings` or a `SettingsError` naming every bad setting.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic import ValidationError

from app.core.settings import Settings, SettingsError


def _split_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


# Well-known variable names (12-factor) and where they land. Anything else:
# TANDEM__SECTION__KEY=value (lists comma-separated).
ENV_OVERRIDES: dict[str, tuple[str, str]] = {
    "HOST": ("server", "host"),
    "PORT": ("server", "port"),
    "TANDEM_DEV": ("server", "dev"),
    "DATABASE_URL": ("database", "url"),
    "REDIS_URL": ("redis", "url"),
    "BROKER_URL": ("broker", "url"),
    "CLIENT_API_KEY": ("security", "client_api_keys"),
    "CLIENT_API_KEYS": ("security", "client_api_keys"),
    "SECRET_KEY": ("security", "secret_key"),
    "SETUP_TOKEN": ("security", "setup_token"),
    "SMTP_URL": ("email", "smtp_url"),
    "PROMETHEUS_MULTIPROC_DIR": ("metrics", "multiprocess_dir"),
    "METRICS_TOKEN": ("metrics", "token"),
}
LIST_SETTINGS = {
    ("security", "client_api_keys"),
    ("server", "trusted_proxies"),
    ("cors", "origins"),
    ("security", "trusted_origins"),
    ("middleware", "chain"),
    ("metrics", "allowed_networks"),
}


def environment_only(name: str) -> bool:
    """Whether a variable counts only from the real environment, never from `.env`:
    development mode (no Secure cookies, no HSTS). `python server.py dev` turns it on by
    itself; an older `make run` wrote TANDEM_DEV=true to `.env`, and a production start
    in that checkout must not pick it up."""
    parts = name.split("__")
    return name == "TANDEM_DEV" or (
        len(parts) == 3 and parts[0] == "TANDEM" and (parts[1].lower(), parts[2].lower()) == ("server", "dev")
    )


def ignored_dotenv_settings(dotenv_path: str | Path | None) -> list[str]:
    """The variables in the `.env` file that `load_settings` ignores (to warn about)."""
    if dotenv_path is None or not Path(dotenv_path).exists():
        return []
    return [name for name in dotenv_values(dotenv_path) if environment_only(name)]


def _apply(raw: dict[str, Any], section: str, key: str, value: str) -> None:
    target = raw.setdefault(section, {})
    target[key] = _split_list(value) if (section, key) in LIST_SETTINGS else value


def load_settings(
    config_path: str | Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    dotenv_path: str | Path | None = ".env",
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Settings:
    """Build the settings; raise SettingsError naming each invalid setting.

    Without config_path, TANDEM_CONFIG names the file (default `config.toml`), so the
    API, the worker and the benchmark all read the same one.
    """
    raw: dict[str, Any] = {}
    path = Path(config_path or os.environ.get("TANDEM_CONFIG", "config.toml"))
    if path.exists():
        with path.open("rb") as handle:
            raw = tomllib.load(handle)

    variables: dict[str, str] = {}
    if dotenv_path is not None and Path(dotenv_path).exists():
        variables.update(
            {k: v for k, v in dotenv_values(dotenv_path).items() if v is not None and not environment_only(k)}
        )
    variables.update(os.environ if environ is None else environ)

    # CLIENT_API_KEY (singular, as the original clients' setup wrote it) first, so the
    # plural list wins when both are present.
    for name in sorted(ENV_OVERRIDES, key=lambda n: n != "CLIENT_API_KEY"):
        if name in variables:
            _apply(raw, *ENV_OVERRIDES[name], variables[name])
    if variables.get("SMTP_URL"):
        # whoever names an SMTP server means to send through it (TANDEM__EMAIL__BACKEND,
        # applied next, can still say otherwise)
        _apply(raw, "email", "backend", "smtp")
    for name, value in variables.items():
        parts = name.split("__")
        if len(parts) == 3 and parts[0] == "TANDEM":
            _apply(raw, parts[1].lower(), parts[2].lower(), value)
    for section, values in (overrides or {}).items():
        raw.setdefault(section, {}).update(values)

    try:
        return Settings.model_validate(raw)
    except ValidationError as error:
        lines = []
        for item in error.errors():
            name = ".".join(str(part) for part in item["loc"])
            message = item["msg"].removeprefix("Value error, ")
            lines.append(f"  {name}: {message}")
        raise SettingsError("invalid settings:\n" + "\n".join(lines)) from None
