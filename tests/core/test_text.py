"""Text that reaches other people (app/core/text.py, app/emails/render.py): display names
refuse what could forge a line or reverse a text, and emails show every value on one line."""

from __future__ import annotations

import re

import pytest
from pydantic import TypeAdapter, ValidationError

from app.core.text import DisplayName, one_line
from app.emails.render import render_email

NAMES = TypeAdapter(DisplayName)
URL = re.compile(r"https?://")
LINK = "https://app.example.com/reset?token=" + "T" * 43


@pytest.mark.parametrize(
    "sneaked",
    [
        "\n",
        "\r",
        "\r\n",
        "\t",
        "\x00",
        "\x1b",
        "\x7f",
        "\x85",
        "\x9f",
        "\u2028",
        "\u2029",
        "\u202a",
        "\u202b",
        "\u202c",
        "\u202d",
        "\u202e",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u200e",
        "\u200f",
        "\u061c",
    ],
)
def test_display_name_with_control_line_break_or_bidi_character_is_refused(sneaked):
    with pytest.raises(ValidationError, match="control, line-break, invisible or bidirectional"):
        NAMES.validate_python(f"Ada{sneaked}Lovelace")


@pytest.mark.parametrize(
    "invisible",
    [
        "\u200b",
        "\u2060",
        "\ufeff",
        "\u00ad",
        "\U000e0041",
        "\ue000",
    ],
)
def test_display_name_with_invisible_characters_cannot_pass_for_another_name(invisible):
    # "Ada\u200bLovelace" shows as "AdaLovelace": two accounts, one look
    with pytest.raises(ValidationError, match="invisible"):
        NAMES.validate_python(f"Ada{invisible}Lovelace")


@pytest.mark.parametrize(
    "name",
    [
        "Ada Lovelace",
        "Zoë O'Brien-Łukasiewicz",
        "李小龍",
        "محمد علي",
        "👩\u200d💻 Ada",
        "Ada\u00a0Lovelace",
        "<b>Ada</b>",
        "\u0928\u094d\u200c\u0928",
        "👍🏽",
    ],
)
def test_ordinary_names_in_any_script_are_accepted(name):
    assert NAMES.validate_python(name) == name


def test_a_blank_name_is_refused():
    with pytest.raises(ValidationError):
        NAMES.validate_python("   ")


def test_one_line_joins_lines_and_drops_direction_overrides():
    assert one_line("Ada\r\nhttps://evil.example\u2028x\x85y\tz") == "Ada https://evil.example x y z"
    assert one_line("\u202eelif.exe\u202c") == "elif.exe"
    assert one_line("  Ada  ") == "Ada"


def test_email_html_escapes_a_name_with_markup():
    email = render_email(
        "reset_password",
        to="ada@example.com",
        context={"name": '<a href="https://evil.example">Ada</a>', "link": LINK, "expires_minutes": 60},
    )

    assert "&lt;a href=&#34;https://evil.example&#34;&gt;Ada&lt;/a&gt;" in email["html"]
    assert '<a href="https://evil.example">' not in email["html"]
    assert email["html"].count("<a href=") == 1  # ours, to the link we built


def test_plain_text_email_cannot_be_given_extra_lines_by_a_name():
    forged = "Ada,\n\nYour link changed. Open:\nhttps://evil.example/?token=x\n\u202e"
    email = render_email(
        "reset_password", to="ada@example.com", context={"name": forged, "link": LINK, "expires_minutes": 60}
    )

    greeting = email["text"].splitlines()[0]
    assert greeting.startswith("Hello Ada, Your link changed.")
    assert "\u202e" not in email["text"]
    # the forged address is still there as text, but on the greeting line, not as a line
    # of its own; the only line holding a URL is ours
    url_lines = [line for line in email["text"].splitlines() if URL.match(line.strip())]
    assert url_lines == [LINK]
    assert "\n" not in email["subject"]


def test_every_string_value_of_every_email_is_one_line():
    # a User-Agent reaches the new-sign-in notice without a schema of its own
    email = render_email(
        "new_sign_in",
        to="ada@example.com",
        context={
            "name": "Ada",
            "when": "2024-01-01 00:00 UTC",
            "ip_address": "203.0.113.9",
            "user_agent": "Agent/1.0\r\nhttps://evil.example",
        },
    )

    device = next(line for line in email["text"].splitlines() if "Device:" in line)
    assert device.strip() == "Device:     Agent/1.0 https://evil.example"
