"""HEAD wherever GET is, and OPTIONS on every path, added while the app is built.

HEAD serves uptime checkers: it runs the GET handler under the GET route's Access, and
Sanic sends no body. OPTIONS answers CORS preflight (sanic-ext's CORS middleware adds
the preflight headers to it) and is public, as SPEC §1 says preflight is.

sanic-ext can add both itself, but only from a before-start listener, where every route
it adds makes Sanic rebuild its signal router: about 0.4 s of each app start (cProfile),
which the test suite paid once per app. Added before the app starts, they cost nothing.
Both belong to the mount of the path's routes, whose renderer answers their errors.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from sanic import Sanic
from sanic.response import HTTPResponse, empty

from app.core.access import ACCESS_ATTRIBUTE, PUBLIC, access_of
from app.core.mount import mount_of


async def _head(request: Any, *args: Any, get_handler: Any, **kwargs: Any) -> HTTPResponse:
    return await get_handler(request, *args, **kwargs)


async def _options(request: Any, *args: Any, allow: str, **kwargs: Any) -> HTTPResponse:
    response = empty()
    response.headers["allow"] = allow
    return response


def add_automatic_routes(app: Sanic) -> None:
    """HEAD and OPTIONS for every path that lacks them; call once every capability's
    routes are registered (and again at start, for routes added since: idempotent)."""
    for group in list(app.router.groups.values()):
        methods = group.methods
        where: dict[str, Any] = {"uri": group.uri, "strict_slashes": group.strict, "unquote": group.unquote}
        mount = mount_of(group[0])
        if mount is not None:
            where["ctx_mount"] = mount
        if "GET" in methods and "HEAD" not in methods:
            get_route = next(route for route in group if "GET" in route.methods)
            head = partial(_head, get_handler=get_route.handler)
            setattr(head, ACCESS_ATTRIBUTE, access_of(get_route.handler))
            app.add_route(head, methods=["HEAD"], name=f"{get_route.name}_head", **where)
            methods = methods | {"HEAD"}
        if "OPTIONS" not in methods:
            options = partial(_options, allow=",".join(sorted(methods | {"OPTIONS"})))
            setattr(options, ACCESS_ATTRIBUTE, PUBLIC)
            app.add_route(options, methods=["OPTIONS"], name=f"{group[0].name}_options", **where)
