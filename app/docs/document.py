"""The OpenAPI 3.1 document, built from the app's routes and their `@endpoint` declarations.

Built here rather than by sanic-ext: its builder writes 3.0 around pydantic's 2020-12
schemas, documents query models as objects and cannot express security alternatives.
Routes without an `@endpoint` (docs pages, CORS preflight) are not part of the API. The
document describes the routes of documented mounts (app.core.mount): /api/v1 and the
system routes at the root; a second mount of the same handlers for other clients is
left out, so that each operation is described once, at its /api/v1 path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from sanic import Sanic
from sanic_routing.route import Route

from app.core.endpoint import Operation, operation_of
from app.core.mount import mount_of
from app.core.openapi import describe_api
from app.core.settings import PaginationSettings
from app.docs.components import Components
from app.docs.operations import operation_id, operation_object

DOCUMENTED_METHODS = ("GET", "PUT", "POST", "PATCH", "DELETE")
# Sanic's `<name>` or `<name:type>` path segment → OpenAPI's `{name}`
PATH_PARAMETER = re.compile(r"<([^:>]+)(?::[^>]*)?>")


class DuplicateOperationId(Exception):
    """Two operations would share an id: a generated client could not name both."""


def documented_operations(app: Sanic) -> Iterator[tuple[str, str, Route, Operation]]:
    """(path, method, route, declaration) for every operation, in path order."""
    for route in sorted(app.router.routes, key=lambda route: route.path):
        operation = operation_of(route.handler)
        mount = mount_of(route)
        if operation is None or (mount is not None and not mount.documented):
            continue
        path = "/" + PATH_PARAMETER.sub(r"{\1}", route.path)
        for method in DOCUMENTED_METHODS:
            if method in route.methods:
                yield path, method.lower(), route, operation


def check_operation_ids(app: Sanic) -> None:
    """Refuse to start with two operations under one id (cheap: no schema is built)."""
    seen: dict[str, str] = {}
    for path, method, _, operation in documented_operations(app):
        identifier = operation_id(operation, method)
        if identifier in seen:
            raise DuplicateOperationId(f"{identifier!r}: {seen[identifier]} and {method} {path}")
        seen[identifier] = f"{method} {path}"


def build_document(app: Sanic, *, pagination: PaginationSettings, session_cookie_name: str) -> dict[str, Any]:
    components = Components()
    paths: dict[str, dict[str, Any]] = {}
    for path, method, route, operation in documented_operations(app):
        labels = {param.name: param.label for param in route.params.values()}
        paths.setdefault(path, {})[method] = operation_object(
            operation,
            method=method,
            path_labels=labels,
            components=components,
            pagination=pagination,
        )
    document = describe_api(session_cookie_name=session_cookie_name)
    document["paths"] = paths
    document["components"]["schemas"] = dict(sorted(components.schemas.items()))
    return document
