"""The app's own route table, for the tests generated from it (BOLA and role matrices):
every route added later joins them without a line of test code."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from pydantic import BaseModel
from sanic import Sanic

from app.core.access import Access
from app.core.endpoint import Operation, operation_of

PARAMETER = re.compile(r"<([^:>]+)(?::[^>]*)?>")
# added by the app for every route (app.core.automatic_routes); they carry their GET's Access
AUTOMATIC_METHODS = frozenset({"HEAD", "OPTIONS"})
# a value for each required body field a matrix may meet; a body needing another fails the
# matrix with the field's name (add it here)
SAMPLE_VALUES: Mapping[str, object] = {
    "role": "Teacher",
    "email": "someone@example.com",
    "name": "Sample",
    "query": "sample",
    # PATCH /mentorships/{mentorship_id}
    "status": "active",
    "body": "Sample",
}


@dataclass(frozen=True)
class RouteCase:
    path: str  # Sanic's template: /api/v1/organizations/<organization_id:uuid>/members
    method: str
    access: Access
    operation: Operation | None

    @property
    def parameters(self) -> list[str]:
        return PARAMETER.findall(self.path)

    def url(self, values: Mapping[str, str]) -> str:
        return PARAMETER.sub(lambda match: values[match.group(1)], self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def route_cases(app: Sanic) -> Iterator[RouteCase]:
    """Every (route, method) the app serves, with its declaration, in a stable order."""
    for route in sorted(app.router.routes, key=lambda route: route.path):
        access = getattr(route.ctx, "access", None)
        if access is None:
            continue
        for method in sorted(set(route.methods) - AUTOMATIC_METHODS):
            yield RouteCase("/" + route.path, method, access, operation_of(route.handler))


def sample_body(case: RouteCase) -> dict[str, object]:
    """A valid body for the route (its required fields from SAMPLE_VALUES); raises
    LookupError naming a field without a sample value."""
    model: type[BaseModel] | None = case.operation.body if case.operation is not None else None
    if model is None:
        return {}
    body = {}
    for name, field in model.model_fields.items():
        if field.is_required():
            if name not in SAMPLE_VALUES:
                raise LookupError(f"{case}: body field {name!r} has no value in SAMPLE_VALUES")
            body[name] = SAMPLE_VALUES[name]
    model.model_validate(body)  # a sample that does not fit fails here, naming the model
    return body
