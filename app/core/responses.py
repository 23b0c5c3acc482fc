"""Response envelope helpers (SPEC §1): one resource, a list, an acknowledgement."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import orjson
from pydantic import BaseModel
from sanic.response import HTTPResponse

from app.core.pagination import Page

JSON = "application/json"
_SUCCESS = orjson.dumps({"success": True})


def to_json(value: BaseModel | dict[str, Any] | list[Any]) -> bytes:
    if isinstance(value, BaseModel):
        return value.__pydantic_serializer__.to_json(value)
    return orjson.dumps(value)


def ok(
    data: BaseModel | dict[str, Any],
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTTPResponse:
    """`{"data": {...}}`"""
    return HTTPResponse(b'{"data":' + to_json(data) + b"}", status=status, headers=headers, content_type=JSON)


def created(data: BaseModel | dict[str, Any], *, location: str) -> HTTPResponse:
    """`201` with the new resource and its `Location`."""
    return ok(data, status=201, headers={"Location": location})


def listing(page: Page[Any]) -> HTTPResponse:
    """`{"data": [...], "meta": {"total_count", "limit", "next_cursor"}}`"""
    body = b"[" + b",".join(to_json(item) for item in page.items) + b"]"
    meta = orjson.dumps(
        {"total_count": page.total_count, "limit": page.limit, "next_cursor": page.next_cursor}
    )
    return HTTPResponse(b'{"data":' + body + b',"meta":' + meta + b"}", content_type=JSON)


def listing_rows(page: Page[Any]) -> HTTPResponse:
    """`listing` for rows already shaped as their documented schema (app.core.compiled_query):
    one orjson call for the page, no model per row. UUIDs and datetimes serialize as the
    schemas do (UTC times end in `Z`); `orjson.Fragment` embeds JSON text a column holds."""
    body = orjson.dumps(
        {
            "data": page.items,
            "meta": {"total_count": page.total_count, "limit": page.limit, "next_cursor": page.next_cursor},
        },
        option=orjson.OPT_UTC_Z,
        default=_as_text,
    )
    return HTTPResponse(body, content_type=JSON)


def _as_text(value: Any) -> str:
    """asyncpg's own UUID type (a uuid.UUID subclass orjson does not take) as text."""
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def success(*, headers: dict[str, str] | None = None) -> HTTPResponse:
    """`{"success": true}`"""
    return HTTPResponse(_SUCCESS, headers=headers, content_type=JSON)
