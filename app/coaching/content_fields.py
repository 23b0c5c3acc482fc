"""Text fields of coaching content (goals, action items): a title others read on one
line, and a longer description."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from app.core.text import NAME_RULE, unsafe_character


def _plain_title(value: str) -> str:
    # the same rule as display names: a title is shown in lists, calendars and emails
    if unsafe_character(value) is not None:
        raise ValueError(NAME_RULE)
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Title = Annotated[
    str,
    Field(min_length=1, max_length=200, description=f"One line; {NAME_RULE}"),
    AfterValidator(_plain_title),
]
Description = Annotated[str, Field(max_length=10_000, description="Free text, several lines allowed")]
