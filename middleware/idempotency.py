"""Link: Idempotency-Key on creating POSTs (SPEC §1; app.core.idempotency keeps the records).

Runs after the route's access was enforced (`after_access`): a request the caller may not
make never claims a key, and a replay goes only to a caller still allowed to make it.

A claim ends in `on_response`, which Sanic runs for every response, also those built
from an exception by the error handler (sanic.app.handle_exception → request.respond →
response middleware): a 5xx or a crash in the handler releases the key, anything else is
stored. Two cases end no claim here, and the claim lapses after `lock_seconds` instead:
a process that dies mid-request, and a handler cancelled because its client went away
(Sanic cancels the task; response middleware never runs).
"""

from __future__ import annotations

import logging

from sanic.response import HTTPResponse

from app.core import idempotency
from app.core.endpoint import operation_of
from app.core.idempotency import Claim, IdempotencyStore, Replay
from app.core.request import TandemRequest
from middleware.base import Link

logger = logging.getLogger("tandem.idempotency")


class IdempotencyLink(Link):
    name = "idempotency"
    requires = ("request_context", "session", "organization", "rate_limit")
    after_access = True

    def __init__(self, state):  # type: ignore[no-untyped-def]
        super().__init__(state)
        self._store = IdempotencyStore(state.settings.idempotency)

    async def on_request(self, request: TandemRequest) -> HTTPResponse | None:
        key = request.headers.get(idempotency.HEADER)
        route, principal = request.route, request.ctx.principal
        if key is None or route is None or principal is None:
            return None
        operation = operation_of(route.handler)
        if operation is None or not idempotency.accepts_key(operation, request.method):
            return None  # a GET, a POST that creates nothing: the header means nothing there
        fingerprint = idempotency.fingerprint(
            method=request.method,
            path=request.path + (f"?{request.query_string}" if request.query_string else ""),
            # the organization acted in (path, header or current), else the header as sent
            organization=str(request.ctx.organization_id or request.headers.get("x-organization-id", "")),
            body=request.body or b"",
        )
        outcome = await self._store.claim(principal.user_id, idempotency.check_key(key), fingerprint)
        if isinstance(outcome, Replay):
            headers = {**outcome.headers, idempotency.REPLAYED_HEADER: "true"}
            return HTTPResponse(outcome.body, status=outcome.status, headers=headers)
        request.ctx.idempotency_claim = outcome
        return None

    async def on_response(self, request: TandemRequest, response: HTTPResponse) -> None:
        claim: Claim | None = request.ctx.idempotency_claim
        if claim is None:
            return
        request.ctx.idempotency_claim = None
        try:
            if response.status >= 500:
                await self._store.release(claim)
            else:
                kept = {
                    name: response.headers[name]
                    for name in idempotency.KEPT_HEADERS
                    if name in response.headers
                }
                if response.content_type and "content-type" not in kept:
                    kept["content-type"] = response.content_type
                await self._store.complete(
                    claim, status=response.status, body=response.body or b"", headers=kept
                )
        except Exception:
            # the response goes out regardless, and the later links' hooks still run; the
            # claim lapses after lock_seconds, and a retry then runs again
            logger.exception("could not record the outcome of an idempotent request")
