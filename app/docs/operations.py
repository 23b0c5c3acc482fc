"""One route's `@endpoint` declaration → its OpenAPI 3.1 operation object.

Everything here follows from the declaration: the statuses a route can answer come from
its Access (client key → 403, session → 401, rate policy → 429, ...) and its inputs
(400, 413, 415), plus the problems the handler declares itself.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from pydantic import BaseModel

from app.core import idempotency
from app.core.endpoint import Operation
from app.core.pagination import PageQuery
from app.core.problems import PROBLEM_CONTENT_TYPE, Problem
from app.core.schemas import Success, data_envelope, list_envelope
from app.core.settings import PaginationSettings
from app.docs.components import REF_TEMPLATE, Components

PROBLEM_DESCRIPTIONS = {
    400: "Malformed request: invalid JSON, field, parameter or header",
    401: "No session, or the session expired or was revoked",
    403: "Wrong or missing X-Client-Key, or role too low",
    404: "Not found, or outside the caller's organization",
    409: "Conflict with an existing resource",
    413: "Body or headers over the size limit",
    415: "Body is not application/json",
    422: "Business rule violated",
    429: "Rate limited (see Retry-After)",
    503: "A dependency is down",
}
# every request is read through headers, so any route can refuse one it cannot decode
NO_INPUT_400 = "Malformed request (e.g. a header that is not valid text)"
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}
PATH_PARAMETER_TYPES = {"int": {"type": "integer"}, "uuid": {"type": "string", "format": "uuid"}}
ORGANIZATION_HEADER = {
    "name": "X-Organization-Id",
    "in": "header",
    "required": False,
    "description": "Organization to act in; defaults to the user's current organization",
    "schema": {"type": "string", "format": "uuid"},
}

IDEMPOTENCY_HEADER = {
    "name": idempotency.HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Any unique value (a UUID): a retry with the same key within 24 h gets the first "
        "response again, with `Idempotent-Replayed: true`, instead of creating twice"
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x20-\\x7e]+$"},
}
IDEMPOTENCY_PROBLEMS = {
    409: "Conflict with an existing resource, or a request with this Idempotency-Key is still running",
    422: "Business rule violated, or this Idempotency-Key was used for another request",
}
REPLAYED = {
    idempotency.REPLAYED_HEADER: {
        "description": "`true` when this is the stored response to an earlier request with the same Idempotency-Key",
        "schema": {"type": "string", "enum": ["true"]},
    }
}


def operation_id(operation: Operation, method: str) -> str:
    """`<tag>_<action>`: the handler's name without the tag in it (`update_me` → `me_update`),
    or the method for a handler named like its tag (`me` → `me_get`)."""
    if operation.operation_id is not None:
        return operation.operation_id
    tag, name = operation.tag, operation.handler_name
    if tag is None:
        return name
    if name == tag:
        action = method
    else:
        action = name.removeprefix(f"{tag}_").removesuffix(f"_{tag}")
    return f"{tag}_{action}"


def problem_statuses(operation: Operation, method: str = "get") -> dict[int, str]:
    """Every problem status the route can answer, with its description."""
    access = operation.access
    has_input = operation.body is not None or operation.query is not None
    # any request can arrive with a body or headers over the limit, read or not
    statuses: dict[int, str | None] = {400: None if has_input else NO_INPUT_400, 413: None}
    if operation.body is not None:
        statuses[415] = None
    if access.client_key or access.min_role is not None:
        statuses[403] = None
    if access.authenticated:
        statuses[401] = None
    if access.organization:
        statuses[404] = None
    if access.rate_policy is not None:
        statuses[429] = None
    # declared ones win: a declared 400 is about the route's own input, for instance
    statuses |= operation.problems
    if idempotency.accepts_key(operation, method):
        # unless the route says more itself
        statuses |= {
            status: text for status, text in IDEMPOTENCY_PROBLEMS.items() if not statuses.get(status)
        }
    return {
        status: description or PROBLEM_DESCRIPTIONS.get(status, HTTPStatus(status).phrase)
        for status, description in sorted(statuses.items())
    }


def security(operation: Operation) -> list[dict[str, list[str]]]:
    """Alternatives: a session by cookie or by bearer token, each with the client key."""
    key = {"clientKey": []} if operation.access.client_key else {}
    if operation.access.authenticated:
        return [{**key, "sessionCookie": []}, {**key, "bearer": []}]
    return [key] if key else []


def query_parameters(
    model: type[BaseModel], components: Components, pagination: PaginationSettings
) -> list[dict[str, Any]]:
    """One scalar parameter per field (a query string cannot carry null)."""
    schema = model.model_json_schema(ref_template=REF_TEMPLATE, mode="validation")
    components.add(schema.pop("$defs", {}))
    required = set(schema.get("required", ()))
    parameters = []
    for name, field_schema in schema["properties"].items():
        description = field_schema.pop("description", "")
        scalar = _without_null(field_schema)
        if issubclass(model, PageQuery) and name == "limit":
            # the settings decide the default and may lower the ceiling
            scalar["maximum"] = min(scalar.get("maximum", pagination.max_limit), pagination.max_limit)
            scalar["default"] = pagination.default_limit
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": name in required,
                "description": description,
                "schema": scalar,
            }
        )
    return parameters


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [X, null]` (pydantic's `X | None`) → X; `title` and a null default dropped."""
    schema = {key: value for key, value in schema.items() if key != "title"}
    branches = [branch for branch in schema.pop("anyOf", ()) if branch != {"type": "null"}]
    if len(branches) == 1:
        schema = {**branches[0], **schema}
    elif branches:
        schema["anyOf"] = branches
    if schema.get("default", ...) is None:
        del schema["default"]
    return schema


def path_parameters(labels: dict[str, str]) -> list[dict[str, Any]]:
    """`labels`: parameter name → Sanic type label (`str`, `int`, `uuid`, ...)."""
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": PATH_PARAMETER_TYPES.get(label, {"type": "string"}),
        }
        for name, label in labels.items()
    ]


def _response_model(operation: Operation) -> type[BaseModel]:
    if operation.response is None:
        return Success
    if not operation.envelope:
        return operation.response
    if operation.listing:
        return list_envelope(operation.response)
    return data_envelope(operation.response)


def operation_object(
    operation: Operation,
    *,
    method: str,
    path_labels: dict[str, str],
    components: Components,
    pagination: PaginationSettings,
) -> dict[str, Any]:
    problem = {"schema": components.reference(Problem, "serialization")}
    if operation.content_type == "application/json":
        success = {"schema": components.reference(_response_model(operation), "serialization")}
    else:
        success = {"schema": {"type": "string"}}
    responses: dict[str, Any] = {
        str(operation.status): {
            "description": HTTPStatus(operation.status).phrase,
            "content": {operation.content_type: success},
        }
    }
    idempotent = idempotency.accepts_key(operation, method)
    if idempotent:
        responses[str(operation.status)]["headers"] = REPLAYED
    for status, description in problem_statuses(operation, method).items():
        responses[str(status)] = {"description": description, "content": {PROBLEM_CONTENT_TYPE: problem}}
        if status == 429:
            responses[str(status)]["headers"] = RETRY_AFTER
    parameters = path_parameters(path_labels)
    if operation.query is not None:
        parameters += query_parameters(operation.query, components, pagination)
    if operation.access.organization:
        parameters.append(ORGANIZATION_HEADER)
    if idempotent:
        parameters.append(IDEMPOTENCY_HEADER)
    document: dict[str, Any] = {"operationId": operation_id(operation, method), "summary": operation.summary}
    if operation.description:
        document["description"] = operation.description
    if operation.tag:
        document["tags"] = [operation.tag]
    if parameters:
        document["parameters"] = parameters
    if operation.body is not None:
        document["requestBody"] = {
            # a body whose every field is optional may be left out: the route reads it as {}
            "required": any(field.is_required() for field in operation.body.model_fields.values()),
            "content": {"application/json": {"schema": components.reference(operation.body, "validation")}},
        }
    document["responses"] = responses
    document["security"] = security(operation)
    return document
