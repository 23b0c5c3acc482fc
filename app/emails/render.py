"""Render an email from `templates/<name>.{subject,txt,html}.j2` into a send_email payload.

Text and subject are rendered without escaping; HTML with autoescape, so a name like
`<b>Ada</b>` arrives as text in both. Every template gets `product` and `to`.

Every string value is first reduced to one line (`one_line`: no line breaks, controls
or bidi overrides), for every part: a plain-text email shows text as it is, so a name
holding a line break could otherwise add a line of its own, such as a second link.
Names are checked at the door too (`DisplayName`), but rows from before that rule, and
values no schema checked (a User-Agent), still reach here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.core.text import one_line

TEMPLATES = Path(__file__).parent / "templates"
PRODUCT = "Tandem"


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,  # a missing variable is a bug, not an empty string
        keep_trailing_newline=True,
    )


def moment(value: datetime) -> str:
    """A point in time as every email shows it: UTC, to the minute (the recipient's
    timezone is not known for every email, and one form keeps notices comparable)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def template_names() -> set[str]:
    return {path.name.split(".")[0] for path in TEMPLATES.glob("*.txt.j2")}


def render_email(name: str, *, to: str, context: dict[str, Any]) -> dict[str, str]:
    """{to, subject, text, html}; the caller adds message_id."""
    environment = _environment()
    values = {
        key: one_line(value) if isinstance(value, str) else value
        for key, value in {"product": PRODUCT, "to": to, **context}.items()
    }
    subject = environment.get_template(f"{name}.subject.j2").render(values)
    return {
        "to": to,
        "subject": " ".join(subject.split()),  # one line, whatever the template did
        "text": environment.get_template(f"{name}.txt.j2").render(values),
        "html": environment.get_template(f"{name}.html.j2").render(values),
    }
