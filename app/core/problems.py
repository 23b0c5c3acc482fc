"""RFC 9457 problem responses: how errors leave the API, unless a mount renders its own
(app.core.mount).

Framework errors (unknown route, wrong method, body too large, bad JSON) and
unhandled exceptions are translated into the same shape as our own ApiErrors.
A 500 says only "Internal server error" and the request id; the traceback goes
to the log alone.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel, Field
from sanic import exceptions as sanic_errors
from sanic.response import HTTPResponse

from app.core import errors

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://tandem.dev/problems/"


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, as every error response carries them."""

    type: str = Field(examples=[PROBLEM_TYPE_BASE + "validation-error"])
    title: str
    status: int
    detail: str | None = None
    code: str = Field(description="Stable UPPER_SNAKE identifier of the error")
    request_id: str | None = None
    errors: list[FieldError] | None = Field(None, description="Only for validation errors")


def problem_type(code: str) -> str:
    return PROBLEM_TYPE_BASE + code.lower().replace("_", "-")


def problem_response(error: errors.ApiError, request_id: str | None) -> HTTPResponse:
    body: dict[str, Any] = {
        "type": problem_type(error.code),
        "title": error.title,
        "status": error.status,
        "code": error.code,
        "request_id": request_id,
    }
    if error.detail:
        body["detail"] = error.detail
    if error.errors is not None:
        body["errors"] = error.errors
    body.update(error.extra)
    return HTTPResponse(
        orjson.dumps(body),
        status=error.status,
        headers=error.headers,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def translate(exception: BaseException) -> errors.ApiError:
    """Map a framework or unexpected exception onto our error tree."""
    if isinstance(exception, errors.ApiError):
        return exception
    if isinstance(exception, sanic_errors.RequestCancelled):
        # the client closed the connection mid-request: nobody reads this answer, and
        # it is no error of ours (never logged at ERROR: a client could flood that log)
        return errors.BadRequest("The client closed the connection before the answer")
    if isinstance(exception, sanic_errors.NotFound):
        return errors.NotFound("No such resource")
    if isinstance(exception, sanic_errors.MethodNotAllowed):
        allowed = ", ".join(sorted(exception.allowed_methods or ()))
        return errors.MethodNotAllowed(headers={"Allow": allowed} if allowed else None)
    if isinstance(exception, sanic_errors.PayloadTooLarge):
        return errors.PayloadTooLarge("The request body is over the size limit")
    if isinstance(exception, sanic_errors.RequestTimeout):
        return errors.BadRequest("The request took too long to arrive")
    if isinstance(exception, sanic_errors.HeaderNotFound | sanic_errors.InvalidHeader):
        return errors.BadRequest("A required header is missing or malformed")
    if isinstance(exception, sanic_errors.BadRequest):
        # Sanic raises a bare BadRequest for undecodable JSON and malformed requests.
        return errors.BadRequest("The request could not be understood")
    return errors.InternalError()
