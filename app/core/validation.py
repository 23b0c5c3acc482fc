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


def parse_body(request: Request, model: type[Model]) -> Model:
    """JSON body → model. 415 for another content type, 400 for bad JSON or fields."""
    content_type = request.headers.get("content-type", "")
    if request.body and content_type.split(";", 1)[0].strip() != "application/json":
        raise errors.UnsupportedMediaType("Send the body as application/json")
    try:
        data = orjson.loads(request.body or b"{}")
    except orjson.JSONDecodeError:
        raise errors.MalformedJson("The body is not valid JSON") from None
    if not isinstance(data, dict):
        raise errors.ValidationFailed(
            "body: must be a JSON object", errors=[{"field": "body", "message": "must be a JSON object"}]
        )
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise _validation_failed(error) from None


def parse_query(request: Request, model: type[Model]) -> Model:
    """Query string → model; a repeated parameter is an error, unknown ones too."""
    data: dict[str, str] = {}
    for name, values in request.args.items():
        if len(values) > 1:
            raise errors.ValidationFailed(
                f"{name}: given more than once",
                errors=[{"field": name, "message": "given more than once"}],
            )
        data[name] = values[0]
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise _validation_failed(error) from None
