"""`@endpoint`: one declaration per route for access, parsing and documentation.

    @bp.post("/sign-in")
    @endpoint(AUTH_SIGN_IN, body=SignIn, response=SignInOutcome, summary="Sign in", tag="auth")
    async def sign_in(request, body: SignIn): ...

The handler receives the parsed `body` and/or `query`. The declaration is kept on the
handler; app.docs.operations turns it into the route's OpenAPI operation (the body,
the enveloped response and every problem the declaration implies), so what is
enforced and what is documented come from the same place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from pydantic import BaseModel

from app.core.access import ACCESS_ATTRIBUTE, Access, Handler
from app.core.validation import parse_body, parse_query

OPERATION_ATTRIBUTE = "__tandem_operation__"


@dataclass(frozen=True, slots=True)
class Operation:
    """What a route takes and answers, as documented in OpenAPI."""

    access: Access
    summary: str
    handler_name: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    listing: bool = False
    envelope: bool = True
    status: int = 200
    description: str | None = None
    # statuses beyond those the access and inputs imply, with an optional description each
    problems: Mapping[int, str | None] = field(default_factory=dict)
    tag: str | None = None
    # `<tag>_<action>`; derived from the tag and handler name when not given
    operation_id: str | None = None
    # of the success response; anything but JSON is documented as a string
    content_type: str = "application/json"


def endpoint(
    access: Access,
    *,
    summary: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    listing: bool = False,
    envelope: bool = True,
    status: int = 200,
    description: str | None = None,
    problems: tuple[int, ...] | Mapping[int, str] = (),
    tag: str | None = None,
    operation_id: str | None = None,
    content_type: str = "application/json",
) -> Callable[[Handler], Handler]:
    """`problems`: statuses the handler itself can answer, e.g. `(409,)`, or
    `{401: "Wrong email or password"}` where the generic description would mislead."""
    declared = dict(problems) if isinstance(problems, Mapping) else dict.fromkeys(problems)

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def route(request: Any, **path: Any) -> Any:
            if body is not None:
                path["body"] = parse_body(request, body)
            if query is not None:
                path["query"] = parse_query(request, query)
            return await handler(request, **path)

        setattr(route, ACCESS_ATTRIBUTE, access)
        setattr(
            route,
            OPERATION_ATTRIBUTE,
            Operation(
                access=access,
                summary=summary,
                handler_name=handler.__name__,
                body=body,
                query=query,
                response=response,
                listing=listing,
                envelope=envelope,
                status=status,
                description=description,
                problems=declared,
                tag=tag,
                operation_id=operation_id,
                content_type=content_type,
            ),
        )
        return route

    return decorate


def operation_of(handler: Any) -> Operation | None:
    return getattr(handler, OPERATION_ATTRIBUTE, None)
