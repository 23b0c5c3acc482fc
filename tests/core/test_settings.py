"""Settings: config.toml, environment overrides, and refusal to start on bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.settings import SettingsError
from app.core.settings_sources import ignored_dotenv_settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
GOOD = {"CLIENT_API_KEYS": "cak_" + "a" * 40, "SECRET_KEY": "s" * 40}


def load(environ: dict[str, str]):
    return load_settings(ROOT / "config.toml", environ=environ, dotenv_path=None)


def test_settings_defaults_come_from_config_toml():
    settings = load(GOOD)
    assert settings.server.port == 8000
    assert settings.rate_limits.auth.limit == 5
    assert settings.database.dialect == "sqlite"
    assert settings.broker_url == ""


def test_settings_environment_overrides_well_known_names():
    settings = load(
        {
            **GOOD,
            "DATABASE_URL": "postgres://u@h/db",
            "REDIS_URL": "redis://h:1/0",
            "PORT": "9001",
            "SMTP_URL": "smtp://mail:25",
        }
    )
    assert settings.database.dialect == "postgres"
    assert settings.broker_url == "redis://h:1/0"
    assert settings.server.port == 9001
    assert settings.email.smtp_url == "smtp://mail:25"
    assert settings.email.backend == "smtp"  # naming a server means sending through it
    assert load(GOOD).email.backend == "folder"


def test_settings_accept_several_client_keys_and_the_singular_name():
    several = load({**GOOD, "CLIENT_API_KEYS": f"{'cak_' + 'a' * 40}, {'cak_' + 'b' * 40}"})
    assert len(several.security.client_api_keys) == 2
    singular = load({"CLIENT_API_KEY": "cak_" + "c" * 40, "SECRET_KEY": "s" * 40})
    assert singular.security.client_api_keys == ("cak_" + "c" * 40,)


def test_settings_generic_override_reaches_any_section():
    settings = load({**GOOD, "TANDEM__PAGINATION__MAX_LIMIT": "100"})
    assert settings.pagination.max_limit == 100


def test_settings_refuse_start_without_client_key():
    with pytest.raises(SettingsError, match="security.client_api_keys: no client key is configured"):
        load({"SECRET_KEY": "s" * 40})


def test_settings_refuse_client_key_shorter_than_32_characters():
    with pytest.raises(SettingsError, match="shorter than 32 characters.*keys generate"):
        load({**GOOD, "CLIENT_API_KEYS": "cak_short"})


def test_settings_name_each_invalid_setting():
    with pytest.raises(SettingsError) as raised:
        load({**GOOD, "PORT": "not-a-port", "TANDEM__SERVER__TRUSTED_PROXIES": "10.0.0.0/8,nonsense"})
    message = str(raised.value)
    assert "server.port" in message
    assert "server.trusted_proxies" in message


@pytest.mark.parametrize(
    "origin",
    [
        "https://app.example.com/",
        "app.example.com",
        "https://app.example.com/path",
        "ftp://files.example.com",
    ],
)
def test_settings_refuse_an_origin_a_browser_would_never_send(origin: str):
    for name in ("TANDEM__CORS__ORIGINS", "TANDEM__SECURITY__TRUSTED_ORIGINS"):
        with pytest.raises(SettingsError, match="is not an origin like https://app.example.com"):
            load({**GOOD, name: f"https://ok.example.com,{origin}"})
    assert load({**GOOD, "TANDEM__CORS__ORIGINS": "https://ok.example.com:8443"}).cors.origins


def test_settings_refuse_unknown_keys(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text("[server]\nprot = 8000\n")
    with pytest.raises(SettingsError, match="server.prot"):
        load_settings(config, environ=GOOD, dotenv_path=None)


@pytest.mark.parametrize("url", ["nonsense", "http://broker:6379", "redis:/h", "localhost:6379"])
def test_settings_refuse_a_broker_url_dramatiq_cannot_connect_to(url: str):
    with pytest.raises(
        SettingsError,
        match=r"broker.url: must be empty \(in-process broker\) or start with "
        r"redis://, rediss://, amqp:// or amqps://",
    ):
        load({**GOOD, "BROKER_URL": url})
    for good in ("", "redis://h:6379/0", "rediss://h/1", "amqp://guest@h:5672", "amqps://h"):
        assert load({**GOOD, "BROKER_URL": good}).broker.url == good


@pytest.mark.parametrize("url", ["nonsense", "http://h:6379", "127.0.0.1:6379"])
def test_settings_refuse_a_redis_url_that_is_not_one(url: str):
    with pytest.raises(SettingsError, match=r"redis.url: must be empty \(no Redis\) or start with redis://"):
        load({**GOOD, "REDIS_URL": url})
    for good in ("", "redis://h:6379/0", "rediss://h/1", "unix:///run/redis.sock"):
        assert load({**GOOD, "REDIS_URL": good}).redis.url == good


def test_settings_take_dev_mode_from_the_environment_but_never_from_dotenv(tmp_path: Path):
    # `make run` once wrote TANDEM_DEV=true to .env: a production start in that checkout
    # must still send Secure cookies and HSTS
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        f"CLIENT_API_KEYS={'cak_' + 'd' * 40}\nSECRET_KEY={'s' * 40}\n"
        "TANDEM_DEV=true\nTANDEM__SERVER__DEV=true\n"
    )
    assert not load_settings(ROOT / "config.toml", environ={}, dotenv_path=dotenv).server.dev
    assert load_settings(ROOT / "config.toml", environ={"TANDEM_DEV": "true"}, dotenv_path=dotenv).server.dev
    assert ignored_dotenv_settings(dotenv) == ["TANDEM_DEV", "TANDEM__SERVER__DEV"]


def test_settings_read_dotenv_but_environment_wins(tmp_path: Path):
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"CLIENT_API_KEYS={'cak_' + 'd' * 40}\nSECRET_KEY={'s' * 40}\nPORT=7000\n")
    settings = load_settings(ROOT / "config.toml", environ={"PORT": "7001"}, dotenv_path=dotenv)
    assert settings.security.client_api_keys == ("cak_" + "d" * 40,)
    assert settings.server.port == 7001


@pytest.mark.parametrize(
    "environ",
    [
        {"TANDEM__SERVER__WORKERS": "2"},  # no Redis: events and sessions would stay per process
        {"TANDEM__SERVER__WORKERS": "2", "REDIS_URL": "redis://127.0.0.1:6379/0"},  # SQLite
    ],
)
def test_several_server_processes_without_redis_and_postgresql_are_refused(environ):
    with pytest.raises(SettingsError, match="server.workers > 1 needs"):
        load(GOOD | environ)
