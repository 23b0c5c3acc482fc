"""Link 1: request id, client IP (trusting proxies only as configured), access log."""

from __future__ import annotations

import logging
import re
import time
import uuid

from sanic.response import HTTPResponse

from app.core import metrics
from app.core.logging import bind_request, scrub
from app.core.request import TandemRequest
from middleware.base import Link
from middleware.client_ip import ClientIpResolver
from middleware.header_bytes import require_utf8_headers

access_logger = logging.getLogger("tandem.access")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


class RequestContextLink(Link):
    name = "request_context"

    def __init__(self, state):  # type: ignore[no-untyped-def]
        super().__init__(state)
        self._client_ip = ClientIpResolver(state.settings.server.trusted_proxies)
        self._access_log = state.settings.server.access_log
        self._metrics = state.settings.metrics.enabled

    async def on_request(self, request: TandemRequest) -> HTTPResponse | None:
        ctx = request.ctx
        ctx.started_at = time.perf_counter()
        given = request.headers.get("x-request-id")
        ctx.request_id = given if given and REQUEST_ID.match(given) else uuid.uuid4().hex
        bind_request(ctx.request_id)
        forwarded_for = request.headers.getall("x-forwarded-for", [])
        ctx.client_ip = self._client_ip.resolve(request.ip, forwarded_for)
        # the two reads above are safe with undecodable bytes; every later link's are not
        require_utf8_headers(request)
        return None

    async def on_response(self, request: TandemRequest, response: HTTPResponse) -> None:
        ctx = request.ctx
        if not ctx.request_id:  # the chain did not run (e.g. a malformed request line)
            ctx.request_id = uuid.uuid4().hex
        response.headers["X-Request-ID"] = ctx.request_id
        if not (self._access_log or self._metrics):
            return
        seconds = time.perf_counter() - ctx.started_at if ctx.started_at else 0.0
        # the template, never the raw path: a label per distinct URL would grow without end
        route = "/" + request.route.path if request.route is not None else metrics.UNMATCHED_ROUTE
        if self._metrics:
            metrics.observe_request(request.method, route, response.status, seconds)
        if self._access_log:
            duration_ms = round(seconds * 1000, 2)
            path = scrub(request.path)  # a client may put anything in a URL
            method = metrics.method_label(request.method)  # and anything in a method
            access_logger.info(
                "%s %s %s %.2fms", method, path, response.status, duration_ms,
                extra={
                    "method": method, "path": path, "route": route,
                    "status": response.status, "duration_ms": duration_ms, "client_ip": ctx.client_ip,
                },
            )
