"""With nothing configured (no trusted_origins, no CORS origins), the web app of
`accounts.app_url` is trusted: a newcomer can follow every emailed flow from it, and
its browser calls are allowed (ISSUE 9 §3.3, docs/conventions.md)."""

from __future__ import annotations

import pytest

from app.core.settings import Settings, SettingsError
from tests.factories import sign_up
from tests.mail import text_of, token_in
from tests.problems import assert_problem

APP_URL = "https://web.example.org/app"
APP_ORIGIN = "https://web.example.org"


@pytest.fixture
def mail_settings(mail_settings: Settings) -> Settings:
    """conftest's mail settings, with no origin configured and a web app of our own."""
    return mail_settings.model_copy(
        update={
            "security": mail_settings.security.model_copy(update={"trusted_origins": ()}),
            "cors": mail_settings.cors.model_copy(update={"origins": ()}),
            "accounts": mail_settings.accounts.model_copy(update={"app_url": APP_URL}),
        }
    )


def preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-client-key",
    }


async def test_with_nothing_configured_the_app_url_origin_is_a_trusted_callback(mail_server, smtp_server):
    assert mail_server.state.settings.security.trusted_origins == ()
    user = await sign_up(mail_server.client, callback_url=f"{APP_ORIGIN}/welcome")

    verification = await smtp_server.inbox.wait_for(user["email"], "confirm your email")
    assert f"{APP_ORIGIN}/welcome?token={token_in(verification)}" in text_of(verification)
    reset = await mail_server.client.post(
        "/api/v1/auth/forgot-password",
        json={"email": user["email"], "callback_url": f"{APP_ORIGIN}/app/reset"},
    )
    assert reset.status_code == 200, reset.text
    message = await smtp_server.inbox.wait_for(user["email"], "reset your")
    assert f"{APP_ORIGIN}/app/reset?token={token_in(message)}" in text_of(message)


async def test_without_a_callback_the_link_goes_to_the_app_url_page(mail_server, smtp_server):
    user = await sign_up(mail_server.client)

    message = await smtp_server.inbox.wait_for(user["email"], "confirm your email")
    assert f"{APP_URL}/verify-email?token={token_in(message)}" in text_of(message)


async def test_trusting_the_app_url_trusts_no_other_origin(mail_server):
    for callback in (
        "https://app.example.com/welcome",
        "https://web.example.org.evil.net/x",
        "http://web.example.org/x",
    ):
        response = await mail_server.client.post(
            "/api/v1/auth/forgot-password", json={"email": "someone@example.com", "callback_url": callback}
        )
        body = assert_problem(response, 400, "VALIDATION_ERROR")
        assert body["errors"][0]["field"] == "callback_url"


async def test_with_nothing_configured_a_preflight_from_the_app_url_origin_is_allowed(mail_server):
    allowed = await mail_server.bare.options("/api/v1/auth/sign-in", headers=preflight(APP_ORIGIN))
    other = await mail_server.bare.options(
        "/api/v1/auth/sign-in", headers=preflight("https://evil.example.net")
    )

    assert allowed.status_code in (200, 204), allowed.text
    assert allowed.headers["access-control-allow-origin"] == APP_ORIGIN
    assert allowed.headers["access-control-allow-credentials"] == "true"
    assert "access-control-allow-origin" not in other.headers


def test_the_app_origin_is_added_once_to_configured_origins(make_settings):
    settings = make_settings(
        accounts={"app_url": "HTTPS://Web.Example.org:443/app/"},
        cors={"origins": ["https://admin.example.org"]},
    )

    assert settings.app_origin == APP_ORIGIN
    assert settings.callback_origins == ("https://app.example.com", APP_ORIGIN)
    assert settings.cors_origins == ("https://admin.example.org", APP_ORIGIN)
    same = make_settings(accounts={"app_url": APP_URL}, cors={"origins": [APP_ORIGIN]})
    assert same.cors_origins == (APP_ORIGIN,)


@pytest.mark.parametrize(
    "app_url",
    [
        "https://user@web.example.org",
        "ftp://web.example.org",
        "web.example.org",
        "https://web.example.org/?next=x",
        "https://web.example.org/#x",
        "https://web.example.org/a b",
        "https://web.example.org\\@evil.example",
    ],
)
def test_an_app_url_that_is_not_a_plain_web_page_stops_start_up(make_settings, app_url):
    with pytest.raises(SettingsError, match="accounts.app_url"):
        make_settings(accounts={"app_url": app_url})


def test_a_trusted_origin_with_user_info_stops_start_up(make_settings):
    with pytest.raises(SettingsError, match="security.trusted_origins"):
        make_settings(security={"trusted_origins": ["https://user@app.example.com"]})
