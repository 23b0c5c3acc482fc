"""Link 1: request id, client IP (trusting proxies only as configured), access log."""

from __future__ import annotations

import itertools
import re
import secrets
import time

from sanic.response import HTTPResponse

from app.core.access_log import AccessLog
from app.core.audit import bind_client_ip
from app.core.logging import bind_request, scrub
from app.core.metrics import UNMATCHED_ROUTE, method_label
from app.core.request import TandemRequest
from middleware.base import Link
from middleware.client_ip import ClientIpResolver
from middleware.header_bytes import require_utf8_headers

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


class RequestIds:
    """Ids for requests that bring none: 16 random hex digits per process, then a
    counter. Unique across processes and restarts like a UUID, without a system call
    for random bytes on every request (uuid4 was 5% of /me under load, py-spy); an id
    names a request in logs and is no secret, so it need not be unpredictable."""

    def __init__(self) -> None:
        self._prefix = secrets.token_hex(8)
        self._counter = itertools.count()

    def next(self) -> str:
        return f"{self._prefix}{next(self._counter):016x}"


class RequestContextLink(Link):
    name = "request_context"

    def __init__(self, state):  # type: ignore[no-untyped-def]
        super().__init__(state)
        self._client_ip = ClientIpResolver(state.settings.server.trusted_proxies)
        self._request_ids = RequestIds()
        self._access_log = AccessLog() if state.settings.server.access_log else None
        self._metrics = state.metrics if state.settings.metrics.enabled else None

    async def on_request(self, request: TandemRequest) -> HTTPResponse | None:
        ctx = request.ctx
        ctx.started_at = time.perf_counter()
        given = request.headers.get("x-request-id")
        ctx.request_id = given if given and REQUEST_ID.match(given) else self._request_ids.next()
        bind_request(ctx.request_id)
        forwarded_for = request.headers.getall("x-forwarded-for", [])
        ctx.client_ip = self._client_ip.resolve(request.ip, forwarded_for)
        bind_client_ip(ctx.client_ip)
        # the two reads above are safe with undecodable bytes; every later link's are not
        require_utf8_headers(request)
        return None

    async def on_response(self, request: TandemRequest, response: HTTPResponse) -> None:
        ctx = request.ctx
        if not ctx.request_id:  # the chain did not run (e.g. a malformed request line)
            ctx.request_id = self._request_ids.next()
        response.headers["X-Request-ID"] = ctx.request_id
        if self._access_log is None and self._metrics is None:
            return
        seconds = time.perf_counter() - ctx.started_at if ctx.started_at else 0.0
        # the template, never the raw path: a label per distinct URL would grow without end
        route = "/" + request.route.path if request.route is not None else UNMATCHED_ROUTE
        if self._metrics is not None:
            self._metrics.observe_request(request.method, route, response.status, seconds)
        if self._access_log is not None:
            duration_ms = round(seconds * 1000, 2)
            path = scrub(request.path)  # a client may put anything in a URL
            method = method_label(request.method)  # and anything in a method
            self._access_log.write(
                method=method,
                path=path,
                route=route,
                status=response.status,
                duration_ms=duration_ms,
                client_ip=ctx.client_ip,
            )
