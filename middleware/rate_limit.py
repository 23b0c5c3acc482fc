"""Link: rate limits by policy (SPEC §1), GCRA in one Redis round trip.

The route names its policy; the subject is the user (IP when anonymous), and for
`auth` both the client IP and the account named in the body, each with its own
allowance, so neither many accounts from one IP nor one account from many IPs
gets past it. Org-scoped routes also count against the organization's `tenant`
allowance. Headers follow the IETF httpapi RateLimit draft.
"""

from __future__ import annotations

import math

import orjson
from sanic.response import HTTPResponse

from app.core import email_address, errors
from app.core.request import TandemRequest
from app.ratelimit.gcra import Check, Decision
from middleware.base import Link


class RateLimitLink(Link):
    name = "rate_limit"
    requires = ("request_context", "session", "organization")

    def __init__(self, state):  # type: ignore[no-untyped-def]
        super().__init__(state)
        self._policies = state.settings.rate_limits
        self._limiter = state.limiter

    async def on_request(self, request: TandemRequest) -> HTTPResponse | None:
        ctx = request.ctx
        access = ctx.access
        policy_name = "general" if access is None else access.rate_policy
        if policy_name is None or request.method == "OPTIONS":
            return None
        policy = getattr(self._policies, policy_name)
        checks = self.checks(request, policy_name, policy)
        decision = await self._limiter.hit(policy_name, checks)
        if decision is None:
            return None
        headers = self.headers(policy_name, policy, decision)
        if not decision.allowed:
            headers["Retry-After"] = str(max(1, math.ceil(decision.retry_after_seconds)))
            raise errors.RateLimited("Too many requests; retry later", headers=headers)
        ctx.rate_limit_headers = headers
        return None

    def checks(self, request: TandemRequest, policy_name: str, policy) -> list[Check]:  # type: ignore[no-untyped-def]
        ctx = request.ctx
        checks = []
        if policy_name == "auth":
            checks.append(Check(f"auth:ip:{ctx.client_ip}", policy))
            account = self.account_in_body(request)
            if account:
                checks.append(Check(f"auth:account:{account}", policy))
        elif ctx.principal is not None:
            checks.append(Check(f"{policy_name}:user:{ctx.principal.user_id}", policy))
        else:
            checks.append(Check(f"{policy_name}:ip:{ctx.client_ip}", policy))
        if ctx.organization_id is not None:
            checks.append(Check(f"tenant:org:{ctx.organization_id}", self._policies.tenant))
        return checks

    @staticmethod
    def account_in_body(request: TandemRequest) -> str | None:
        """A digest of the email in the body (never the address itself in Redis)."""
        if request.ctx.access is None or not request.ctx.access.limit_by_account:
            return None
        try:
            body = orjson.loads(request.body or b"{}")
        except orjson.JSONDecodeError:
            return None
        email = body.get("email") if isinstance(body, dict) else None
        if not isinstance(email, str) or not email:
            return None
        # the same spelling as the lockout and the users table, so variants share a bucket
        return email_address.digest(email)[:32]

    @staticmethod
    def headers(policy_name: str, policy, decision: Decision) -> dict[str, str]:  # type: ignore[no-untyped-def]
        window = int(policy.period_seconds)
        reset = max(0, math.ceil(decision.reset_seconds))
        return {
            "RateLimit-Policy": f'"{policy_name}";q={policy.limit};w={window}',
            "RateLimit": f'"{policy_name}";r={decision.remaining};t={reset}',
        }

    async def on_response(self, request: TandemRequest, response: HTTPResponse) -> None:
        if request.ctx.rate_limit_headers:
            response.headers.update(request.ctx.rate_limit_headers)
