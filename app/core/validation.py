"""Parsing request bodies and queries into pydantic models, with problem errors."""

from __future__ import annotations

from typing import TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from sanic import Request

from app.core import errors

Model = TypeVar("Model", bound=BaseModel)


def field_errors(error: ValidationError) -> list[dict[str, str]]:
    items = []
    for item in error.errors(include_url=False, include_context=False, include_input=False):
        field = ".".join(str(part) for part in item["loc"]) or "body"
        items.append({"field": field, "message": item["msg"]})
    return items


def _validation_failed(error: ValidationError) -> errors.ValidationFailed:
    items = field_errors(error)
    detail = "; ".join(f"{item['field']}: {item['message']}" for item in items)
    return errors.ValidationFailed(detail, errors=items)


def _nul_at(data: object) -> str | None:
    """Where a string in parsed JSON (keys too) holds U+0000: the field's dotted path as
    validation errors name it ("body" for the top level or a key), or None. Iterative:
    JSON nested deeper than Python's recursion limit is valid and must not crash."""
    pending: list[tuple[str, object]] = [("", data)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return path or "body"
        elif isinstance(value, dict):
            for key, item in value.items():
                pending.append((path, key))
                pending.append((f"{path}.{key}" if path else str(key), item))
        elif isinstance(value, list):
            pending.extend(
                (f"{path}.{index}" if path else str(index), item) for index, item in enumerate(value)
            )
    return None


def _nul_refused(field: str) -> errors.ValidationFailed:
    # valid JSON and valid URLs may carry NUL, but PostgreSQL text cannot: a 400 here
    # keeps it from becoming a 500 deep in a query, on every route at once
    return errors.ValidationFailed.of_field(field, "NUL characters (U+0000) are not accepted")


def parse_body(request: Request, model: type[Model]) -> Model:
    """JSON body → model. 415 for another content type, 400 for bad JSON or fields."""
    content_type = request.headers.get("content-type", "")
    if request.body and content_type.split(";", 1)[0].strip() != "application/json":
        raise errors.UnsupportedMediaType("Send the body as application/json")
    try:
        data = orjson.loads(request.body or b"{}")
    except orjson.JSONDecodeError:
        raise errors.MalformedJson("The body is not valid JSON") from None
    # the byte test is a cheap filter; the walk tells a NUL from a literal "\\u0000"
    if request.body and b"\\u0000" in request.body and (field := _nul_at(data)) is not None:
        raise _nul_refused(field)
    if not isinstance(data, dict):
        raise errors.ValidationFailed.of_field("body", "must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise _validation_failed(error) from None


def parse_query(request: Request, model: type[Model]) -> Model:
    """Query string → model; a repeated parameter is an error, unknown ones too."""
    data: dict[str, str] = {}
    for name, values in request.args.items():
        if len(values) > 1:
            raise errors.ValidationFailed.of_field(name, "given more than once")
        if "\x00" in values[0]:
            raise _nul_refused(name)
        data[name] = values[0]
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise _validation_failed(error) from None
