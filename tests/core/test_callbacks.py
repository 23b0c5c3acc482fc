"""The `callback_url` rule (SPEC §2, app/core/callbacks.py), unit by unit: what is
refused, and what link is built from what is accepted."""

from __future__ import annotations

import re

import pytest

from app.core import errors
from app.core.callbacks import Callback, check_callback_url

TRUSTED = ("https://app.example.com", "http://127.0.0.1:3000")
TOKEN = "T" * 43
URL = re.compile(r"https?://")


def refused(url: str) -> str:
    with pytest.raises(errors.ValidationFailed) as caught:
        check_callback_url(url, TRUSTED)
    assert caught.value.errors is not None
    assert [item["field"] for item in caught.value.errors] == ["callback_url"]
    return caught.value.errors[0]["message"]


def link(url: str) -> str:
    return check_callback_url(url, TRUSTED).link(TOKEN)


@pytest.mark.parametrize(
    "sneaked",
    [
        "\r\n",
        "\n",
        "\r",
        "\t",
        "\x00",
        "\x7f",
        "\x85",
        "\x9b",
        "\x1b",
        "\u2028",
        "\u2029",
        "\v",
        "\f",
    ],
)
def test_callback_url_with_line_break_or_control_character_cannot_inject_a_second_link(sneaked):
    message = refused(f"https://app.example.com/reset{sneaked}https://evil.example/steal?x=")

    assert "whitespace" in message


@pytest.mark.parametrize("space", [" ", "\u00a0", "\u3000", "\u2003", "\u202f", "\u1680"])
def test_callback_url_with_space_cannot_show_a_second_link(space):
    refused(f"https://app.example.com/reset{space}https://evil.example/steal")
    refused(f"{space}https://app.example.com/reset")
    refused(f"https://app.example.com/reset{space}")


@pytest.mark.parametrize(
    "url",
    [
        "https://app.example.com\\@evil.example/",
        "https://app.example.com/\\\\evil.example/",
        "https:\\\\app.example.com/reset",
    ],
)
def test_callback_url_with_backslash_is_refused(url):
    # browsers read "\" as "/" in http(s) URLs: the host they see is not the one checked
    refused(url)


@pytest.mark.parametrize("invisible", ["\u202e", "\u200e", "\u2066", "\u200b", "\ufeff", "\u061c"])
def test_callback_url_with_bidi_or_invisible_characters_cannot_disguise_the_link(invisible):
    refused(f"https://app.example.com/{invisible}moc.evil")


@pytest.mark.parametrize(
    "url",
    [
        "https://app.example.com.evil.net/reset",  # prefix
        "https://evil.net/https://app.example.com",
        "https://app.example.com:444/reset",  # another port
        "http://app.example.com/reset",  # another scheme
        "https://127.0.0.1:3000/reset",
        "http://127.0.0.1:3001/reset",
        "https://evil-app.example.com/reset",
        "https://example.com/reset",
        "https://app.example.co/reset",
        "https://app.example.com./reset",  # trailing dot: refused rather than guessed
        "https://app%2eexample.com/reset",
    ],
)
def test_callback_url_on_lookalike_origin_is_refused(url):
    assert refused(url) == "must be on a trusted origin"


@pytest.mark.parametrize(
    "url",
    [
        "https://user@app.example.com/reset",
        "https://user:secret@app.example.com/reset",
        "https://app.example.com@evil.net/reset",
        "https://app.example.com:443@evil.net/reset",
        "//app.example.com/reset",
        "/reset",
        "https:app.example.com/reset",
        "javascript:alert(document.cookie)//https://app.example.com",
        "data:text/html,https://app.example.com",
        "ftp://app.example.com/reset",
        "https://app.example.com:99999/reset",
        "https://app.example.com:port/reset",
        "https://[app.example.com/reset",
    ],
)
def test_callback_url_with_userinfo_or_without_an_http_origin_is_refused(url):
    refused(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://аpp.example.com/reset",  # Cyrillic а
        "https://xn--pp-6kc.example.com/reset",  # the same, as its ASCII form
        "https://app.exаmple.com/reset",
        "https://ápp.example.com/reset",
    ],
)
def test_callback_url_on_idn_lookalike_host_is_refused(url):
    refused(url)


def test_an_idn_spelling_of_the_trusted_host_links_to_the_ascii_host():
    # fullwidth letters are the same host to a browser (IDNA maps them); the link
    # carries the ASCII host that was compared, never the raw spelling
    built = link("https://ａｐｐ.example.com/reset")

    assert built == f"https://app.example.com/reset?token={TOKEN}"


def test_callback_url_with_a_token_of_its_own_is_refused():
    # the web app would read the sender's token (for the sender's account) first
    refused("https://app.example.com/reset?token=attacker")
    refused("https://app.example.com/reset?%74oken=attacker")
    refused("https://app.example.com/reset?a=1&token=")


def test_callback_url_with_a_token_in_its_fragment_query_is_refused():
    # a hash-routed web app reads `#/reset?token=` before the real token in the query
    refused("https://app.example.com/#/reset?token=attacker")
    refused("https://app.example.com/#/reset?step=1&token=attacker")


# Only unreserved characters, `/` and `%XX` may stay as they are in the path: a linkifier
# ends a URL at `)` (or `'`, `,`, `!`, ...) and starts a new one at `https:` or at a bare
# host, so anything else could show a second link with our token on its end.
LINK_SHAPE = re.compile(
    r"^https://app\.example\.com/[A-Za-z0-9._~%/-]*\?[A-Za-z0-9._~%=&+-]*(#[A-Za-z0-9._~%/?=&-]*)?$"
)


@pytest.mark.parametrize(
    "path",
    [
        "/x)https://evil.example/steal",
        "/x),https://evil.example/steal",
        "/x)evil.example/steal",
        "/x'https://evil.example",
        "/x;https://evil.example",
        "/x!*https://evil.example",
        "/x(y)z:https://evil.example",
        "/@evil.example/steal",
    ],
)
def test_callback_path_cannot_spell_a_second_url_for_a_linkifier(path):
    built = link(f"https://app.example.com{path}#/r)https://evil.example")

    assert LINK_SHAPE.match(built), built
    assert len(URL.findall(built)) == 1
    assert ":" not in built.removeprefix("https:")


def test_scheme_host_and_default_port_are_compared_in_their_normal_form():
    assert link("HTTPS://App.Example.COM:443/reset") == f"https://app.example.com/reset?token={TOKEN}"
    assert link("http://127.0.0.1:3000/v") == f"http://127.0.0.1:3000/v?token={TOKEN}"


def test_the_link_is_rebuilt_from_the_parsed_parts():
    built = link("https://app.example.com/a/café?next=/home&flag&x=1+2#/route?step=2")

    assert built == (
        f"https://app.example.com/a/caf%C3%A9?next=%2Fhome&flag=&x=1+2&token={TOKEN}#/route?step=2"
    )
    assert built.isascii()
    assert len(URL.findall(built)) == 1


def test_encoded_characters_stay_encoded_in_the_link():
    # "%0A" is text in a URL; decoded into the email it would be a line break
    built = link("https://app.example.com/a%0Ab?next=%0D%0Ahttps%3A%2F%2Fevil.example#x%20y")

    assert "\n" not in built and "\r" not in built and " " not in built
    assert built == (
        f"https://app.example.com/a%0Ab?next=%0D%0Ahttps%3A%2F%2Fevil.example&token={TOKEN}#x%20y"
    )


def test_a_stray_percent_is_encoded_and_markup_characters_are_escaped():
    built = link('https://app.example.com/a%zz<b>"q"{x}|^`?v=<script>')

    assert built == (
        f"https://app.example.com/a%25zz%3Cb%3E%22q%22%7Bx%7D%7C%5E%60?v=%3Cscript%3E&token={TOKEN}"
    )


def test_a_callback_without_a_path_links_to_the_root():
    assert link("https://app.example.com") == f"https://app.example.com/?token={TOKEN}"


def test_the_stored_form_is_accepted_again_and_builds_the_same_link():
    first = check_callback_url("https://app.example.com/c/é?a=b+c&d=%2F#f", TRUSTED)
    again = check_callback_url(first.url, TRUSTED)

    assert isinstance(again, Callback)
    assert again == first
    assert again.link(TOKEN) == first.link(TOKEN)


def test_no_trusted_origin_refuses_everything():
    with pytest.raises(errors.ValidationFailed):
        check_callback_url("https://app.example.com/reset", ())
