"""Link 1: request id, client IP (trusting proxies only as configured), access log."""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import uuid

from sanic.response import HTTPResponse

from app.core.logging import request_id_var
from app.core.request import TandemRequest
from middleware.base import Link

access_logger = logging.getLogger("tandem.access")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


class RequestContextLink(Link):
    name = "request_context"

    def __init__(self, state):  # type: ignore[no-untyped-def]
        super().__init__(state)
        self._trusted = [
            ipaddress.ip_network(item, strict=False) for item in state.settings.server.trusted_proxies
        ]
        self._access_log = state.settings.server.access_log

    async def on_request(self, request: TandemRequest) -> HTTPResponse | None:
        ctx = request.ctx
        ctx.started_at = time.perf_counter()
        given = request.headers.get("x-request-id")
        ctx.request_id = given if given and REQUEST_ID.match(given) else uuid.uuid4().hex
        request_id_var.set(ctx.request_id)
        ctx.client_ip = self.client_ip(request.ip, request.headers.get("x-forwarded-for"))
        return None

    def client_ip(self, peer: str, forwarded_for: str | None) -> str:
        """The peer, unless it is a trusted proxy: then the nearest untrusted X-Forwarded-For hop."""
        if not forwarded_for or not self._is_trusted(peer):
            return peer
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self._is_trusted(hop):
                return hop
        return hops[0] if hops else peer

    def _is_trusted(self, address: str) -> bool:
        if not self._trusted:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False  # a malformed hop is never a proxy of ours
        return any(ip in network for network in self._trusted)

    async def on_response(self, request: TandemRequest, response: HTTPResponse) -> None:
        ctx = request.ctx
        if not ctx.request_id:  # the chain did not run (e.g. a malformed request line)
            ctx.request_id = uuid.uuid4().hex
        response.headers["X-Request-ID"] = ctx.request_id
        if self._access_log:
            elapsed_ms = (time.perf_counter() - ctx.started_at) * 1000 if ctx.started_at else 0.0
            access_logger.info(
                "%s %s %s %.1fms ip=%s", request.method, request.path, response.status,
                elapsed_ms, ctx.client_ip,
            )
