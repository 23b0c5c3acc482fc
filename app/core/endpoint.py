"""`@endpoint`: one declaration per route for access, parsing and documentation.

    @bp.post("/sign-in")
    @endpoint(ANONYMOUS_AUTH, body=SignIn, response=SignedIn, summary="Sign in")
    async def sign_in(request, body: SignIn): ...

The handler receives the parsed `body` and/or `query`; the OpenAPI operation lists
the body, the enveloped response and every problem the declaration implies.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from pydantic import BaseModel
from sanic_ext import openapi
from sanic_ext.extensions.openapi.definitions import Response

from app.core.access import ACCESS_ATTRIBUTE, Access, Handler
from app.core.problems import PROBLEM_CONTENT_TYPE, Problem
from app.core.schemas import Success, data_envelope, list_envelope
from app.core.validation import parse_body, parse_query
from app.docs.components import reference

PROBLEM_DESCRIPTIONS = {
    400: "Malformed JSON, invalid field or query parameter",
    401: "No session, or the session expired or was revoked",
    403: "Wrong or missing X-Client-Key, or role too low",
    404: "Not found, or outside the caller's organization",
    409: "Conflict with an existing resource",
    413: "Body over the size limit",
    415: "Body is not application/json",
    422: "Business rule violated",
    429: "Rate limited (see Retry-After)",
    503: "A dependency is down",
}


def _implied_problems(access: Access, *, has_input: bool, has_body: bool) -> set[int]:
    statuses = set()
    if has_input:
        statuses.add(400)
    if has_body:
        statuses |= {413, 415}
    if access.client_key:
        statuses.add(403)
    if access.authenticated:
        statuses.add(401)
    if access.organization:
        statuses.add(404)
    if access.min_role is not None:
        statuses.add(403)
    if access.rate_policy is not None:
        statuses.add(429)
    return statuses


def _document(
    handler: Handler,
    *,
    access: Access,
    body: type[BaseModel] | None,
    query: type[BaseModel] | None,
    response: type[BaseModel] | None,
    listing: bool,
    envelope: bool,
    status: int,
    summary: str,
    description: str | None,
    problems: tuple[int, ...],
    tag: str | None,
) -> Handler:
    if response is None:
        response_model: type[BaseModel] = Success
    elif not envelope:
        response_model = response
    else:
        response_model = list_envelope(response) if listing else data_envelope(response)
    responses = [Response({"application/json": {"schema": reference(response_model, "serialization")}},
                          status=status, description="OK")]
    statuses = _implied_problems(
        access, has_input=body is not None or query is not None, has_body=body is not None
    ) | set(problems)
    for code in sorted(statuses):
        responses.append(
            Response({PROBLEM_CONTENT_TYPE: {"schema": reference(Problem, "serialization")}}, status=code,
                     description=PROBLEM_DESCRIPTIONS.get(code, "Error"))
        )
    parameters: list[dict[str, Any]] = []
    if query is not None:
        for name, field in query.model_fields.items():
            parameters.append({
                "name": name, "in": "query", "required": field.is_required(),
                "description": field.description or "",
                "schema": query.model_json_schema()["properties"][name],
            })
    if access.organization:
        parameters.append({
            "name": "X-Organization-Id", "in": "header", "required": False,
            "description": "Organization to act in; defaults to the user's current organization",
            "schema": {"type": "string", "format": "uuid"},
        })
    secured: dict[str, Any] = {}
    if access.client_key:
        secured["clientKey"] = []
    if access.authenticated:
        secured = {"clientKey": [], "sessionCookie": [], "bearer": []}
    return openapi.definition(
        summary=summary,
        description=description,
        tag=tag,
        body={"application/json": {"schema": reference(body, "validation")}} if body is not None else None,
        parameter=parameters or None,
        response=responses,
        secured=secured or None,
    )(handler)


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
    problems: tuple[int, ...] = (),
    tag: str | None = None,
) -> Callable[[Handler], Handler]:
    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def route(request: Any, **path: Any) -> Any:
            if body is not None:
                path["body"] = parse_body(request, body)
            if query is not None:
                path["query"] = parse_query(request, query)
            return await handler(request, **path)

        setattr(route, ACCESS_ATTRIBUTE, access)
        return _document(
            route, access=access, body=body, query=query, response=response, listing=listing,
            envelope=envelope, status=status, summary=summary, description=description, problems=problems, tag=tag,
        )

    return decorate
