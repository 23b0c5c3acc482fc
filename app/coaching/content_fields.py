"""Text fields of coaching content (goals, action items, sessions, notes): one-line text
others read (titles, places, reasons), a longer description, and the visibility tag."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from app.core.text import NAME_RULE, unsafe_character


def one_line(value: str) -> str:
    """The rule of display names: such text is shown in lists, calendars and emails."""
    if unsafe_character(value) is not None:
        raise ValueError(NAME_RULE)
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Title = Annotated[
    str,
    Field(min_length=1, max_length=200, description=f"One line; {NAME_RULE}"),
    AfterValidator(one_line),
]
Description = Annotated[str, Field(max_length=10_000, description="Free text, several lines allowed")]
# who may read a piece of coaching content (models.coaching.Visibility)
VisibilityName = Literal["private", "participants", "organization"]
