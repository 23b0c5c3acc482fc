"""Base classes for request and response shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    create_model,
)

from app.core import email_address

# Emails are stored in one spelling (uniqueness is case-blind), so every email a client
# sends is made canonical before it is validated or compared.
EmailAddress = Annotated[
    EmailStr,
    BeforeValidator(lambda value: email_address.canonical(value) if isinstance(value, str) else value),
    Field(max_length=254),
]


def omit_default(schema: dict[str, Any]) -> None:
    """`json_schema_extra` for a field of a partial update: to leave out or give a value, so
    no `default: null` that a generated client would send back."""
    schema.pop("default", None)


def refuse_null(value: Any) -> Any:
    """A partial update's field: leaving it out keeps the value, null is refused (as a
    `mode="before"` field validator, which runs only for the fields the client sent)."""
    if value is None:
        raise ValueError("may not be null; leave the field out to keep it")
    return value


class RequestModel(BaseModel):
    """A request body or query: unknown fields are refused, strings are bounded by each field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class ResponseModel(BaseModel):
    """A response shape; built from ORM objects by attribute."""

    model_config = ConfigDict(from_attributes=True)


class Success(BaseModel):
    success: bool = True


@cache
def data_envelope(model: type[BaseModel]) -> type[BaseModel]:
    """`{"data": Model}`, named `<Model>Response` for the OpenAPI document."""
    return create_model(f"{model.__name__}Response", data=(model, ...))


class ListMeta(BaseModel):
    total_count: int
    limit: int
    next_cursor: str | None


@cache
def list_envelope(model: type[BaseModel]) -> type[BaseModel]:
    """`{"data": [Model], "meta": ListMeta}`, named `<Model>List`."""
    return create_model(f"{model.__name__}List", data=(list[model], ...), meta=(ListMeta, ...))  # type: ignore[valid-type]


def _in_utc(value: datetime) -> datetime:
    """In UTC: the database stores UTC, and SQLite compares times as text; a time whose UTC
    form is outside years 1-9999 ("0001-01-01T00:30:00+01:00") is a 400 here rather than an
    OverflowError (a 500) where it is stored."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range once converted to UTC") from None


# a time the client sends: RFC 3339 with an offset (400 without), held in UTC from here on
UtcTime = Annotated[AwareDatetime, AfterValidator(_in_utc)]
