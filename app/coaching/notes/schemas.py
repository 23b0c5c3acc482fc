"""Request and response shapes of session notes (SPEC §6)."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from app.coaching.content_fields import VisibilityName
from app.core.schemas import RequestModel, ResponseModel, omit_default, refuse_null

NOTE_MAX_CHARS = 20_000
VISIBILITY_HELP = (
    "`private`: its author alone; `participants`: the coach and coachee of the mentorship "
    "(while it is open) and the author; `organization`: Managers and above too"
)


def _storable(value: str) -> str:
    """Line breaks and tabs are a note's own; a NUL or a lone surrogate no database column
    stores (PostgreSQL refuses NUL in text): refused here, never a 500 later."""
    if "\x00" in value or any(unicodedata.category(char) == "Cs" for char in value):
        raise ValueError("must not contain NUL or unpaired surrogate characters")
    if not value.strip():
        raise ValueError("must not be blank")
    return value


NoteBody = Annotated[
    str,
    Field(
        min_length=1,
        max_length=NOTE_MAX_CHARS,
        description=f"Plain text, at most {NOTE_MAX_CHARS} characters",
    ),
    AfterValidator(_storable),
]


class SessionNoteCreate(RequestModel):
    body: NoteBody
    visibility: VisibilityName = Field("participants", description=VISIBILITY_HELP)


class SessionNoteUpdate(RequestModel):
    """Only the fields given change; the author alone may change a note."""

    body: NoteBody | SkipJsonSchema[None] = Field(None, json_schema_extra=omit_default)
    visibility: VisibilityName | SkipJsonSchema[None] = Field(
        None, description=VISIBILITY_HELP, json_schema_extra=omit_default
    )

    @field_validator("body", "visibility", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return refuse_null(value)


class SessionNotePublic(ResponseModel):
    id: UUID
    organization_id: UUID
    session_id: UUID
    mentorship_id: UUID
    author_id: UUID
    body: str
    visibility: VisibilityName
    created_at: datetime
    updated_at: datetime
