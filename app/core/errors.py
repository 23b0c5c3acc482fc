"""The one error tree. Every error a client can see is an ApiError subclass.

Each class carries its HTTP status, a stable UPPER_SNAKE `code` and a `title`;
the instance carries a client-facing `detail` and, for validation, `errors`.
Rendering to RFC 9457 happens in app.core.problems, in one place.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

# why a token (emailed, MFA challenge, refresh) is refused, without telling which it is
UNUSABLE_TOKEN = "invalid, already used or expired"


class ApiError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "INTERNAL_ERROR"
    title: ClassVar[str] = "Internal server error"
    # quiet errors are the client's fault: logged at INFO without a traceback
    quiet: ClassVar[bool] = True

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        # Problem members beyond the standard ones (e.g. a conflicting id); client-facing.
        self.extra = extra or {}


class BadRequest(ApiError):
    status, code, title = 400, "BAD_REQUEST", "Bad request"


class MalformedJson(BadRequest):
    code, title = "MALFORMED_JSON", "Malformed JSON"


class ValidationFailed(BadRequest):
    code, title = "VALIDATION_ERROR", "Validation failed"

    @classmethod
    def of_field(cls, field: str, message: str) -> ValidationFailed:
        """One field is wrong: named in the detail and in `errors`, as pydantic's are."""
        return cls(f"{field}: {message}", errors=[{"field": field, "message": message}])


class InvalidCursor(BadRequest):
    code, title = "INVALID_CURSOR", "Invalid cursor"


class MalformedHeader(BadRequest):
    """A header whose bytes are not UTF-8: refused before any link reads it."""

    code, title = "MALFORMED_HEADER", "Malformed header"


class Unauthenticated(ApiError):
    status, code, title = 401, "UNAUTHENTICATED", "Authentication required"


class Forbidden(ApiError):
    status, code, title = 403, "FORBIDDEN", "Forbidden"


class NotFound(ApiError):
    status, code, title = 404, "NOT_FOUND", "Not found"


class MethodNotAllowed(ApiError):
    status, code, title = 405, "METHOD_NOT_ALLOWED", "Method not allowed"


class Conflict(ApiError):
    status, code, title = 409, "CONFLICT", "Conflict"


class IdempotencyKeyInUse(Conflict):
    """The first request under this Idempotency-Key is still running."""

    code, title = "IDEMPOTENCY_KEY_IN_USE", "Idempotency key in use"


class PayloadTooLarge(ApiError):
    status, code, title = 413, "PAYLOAD_TOO_LARGE", "Payload too large"


class UnsupportedMediaType(ApiError):
    status, code, title = 415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported media type"


class BusinessRuleViolated(ApiError):
    status, code, title = 422, "UNPROCESSABLE", "Business rule violated"


class IdempotencyKeyReused(BusinessRuleViolated):
    """An Idempotency-Key sent again with a different request."""

    code, title = "IDEMPOTENCY_KEY_REUSED", "Idempotency key reused"


class InvalidToken(BusinessRuleViolated):
    """An emailed token that is unknown, used, superseded, expired, or for something else:
    all look alike to the client."""

    code, title = "INVALID_TOKEN", "Invalid or expired token"

    def __init__(self, detail: str = f"This token is {UNUSABLE_TOKEN}", **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)


class IncorrectCode(BusinessRuleViolated):
    """A TOTP or recovery code that does not match, or was already used."""

    code, title = "INCORRECT_CODE", "Incorrect code"


class IncorrectPassword(BusinessRuleViolated):
    """The current password, asked again of a signed-in user before a sensitive change.
    Not 401: the session is fine, and a client that signs out on 401 should not."""

    code, title = "INCORRECT_PASSWORD", "Incorrect password"


class RateLimited(ApiError):
    status, code, title = 429, "RATE_LIMITED", "Too many requests"

    @classmethod
    def after(cls, seconds: float, detail: str, *, headers: dict[str, str] | None = None) -> RateLimited:
        """Refused for `seconds` more: `Retry-After` in whole seconds, at least 1."""
        return cls(detail, headers={**(headers or {}), "Retry-After": retry_after(seconds)})


def retry_after(seconds: float) -> str:
    """A `Retry-After` value: whole seconds, rounded up, at least 1."""
    return str(max(1, math.ceil(seconds)))


class InternalError(ApiError):
    status, code, title, quiet = 500, "INTERNAL_ERROR", "Internal server error", False


class DependencyUnavailable(ApiError):
    status, code, title, quiet = 503, "SERVICE_UNAVAILABLE", "Service unavailable", False


ALL_ERRORS: tuple[type[ApiError], ...] = (
    BadRequest,
    MalformedJson,
    ValidationFailed,
    InvalidCursor,
    MalformedHeader,
    Unauthenticated,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    BusinessRuleViolated,
    RateLimited,
    InternalError,
    DependencyUnavailable,
)
