"""Link: rate limits by policy (SPEC §1), GCRA in one Redis round trip.

The route names its policy (app.core.access); this link turns it into subjects, and
a request is counted against every one of them, refused when any is spent:

- `auth`: the account (the email in the body in its canonical spelling, or the
  signed-in user's) together with the client IP under `auth`, and the client IP alone
  under `auth_ip`, a larger allowance. Keyed on the pair, requests naming someone's
  email from another address never spend the owner's allowance (SPEC §1: knowing
  someone's email is not enough to keep them out); an office behind one address can
  still sign in its people. Guessing one password from many addresses is bounded by
  the sign-in lockout's account-wide count (app.auth.lockout). Routes that email the
  account (`Access.mails_account`) also count against the account alone, over every
  address, under `auth_account`: a bound on mail to one mailbox;
- `token`: the client IP, and a digest of the token or challenge presented (in the
  body, or in the query string of a GET);
- `calendar_feed`: a digest of the feed token in the query string, and the client IP
  under the looser `calendar_feed_ip` (calendar services fetch many feeds from one address);
- `refresh`: the client IP;
- the others: the user (the client IP when anonymous); org-scoped routes also count
  against the organization's `tenant` allowance.

IPv6 clients count per /64 (app.core.client_address.rate_subject). Headers follow the
IETF httpapi RateLimit draft and name the policy that refused, or else the tightest of
the client's own: `auth_account` is shared by everyone who names the account, so it is
never described unless it refused (it would tell of someone else's requests).
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import orjson
from sanic.response import HTTPResponse

from app.core import email_address, errors
from app.core.client_address import rate_subject
from app.core.request import TandemRequest
from app.core.settings import RatePolicy
from app.ratelimit.gcra import Check, Decision
from middleware.base import Link

# the account subject of an auth request whose body names no address at all: such
# requests share one key rather than escaping the per-account limit
UNNAMED_ACCOUNT = "account:unnamed"


class RateLimitLink(Link):
    name = "rate_limit"
    requires = ("request_context", "session", "organization")

    def __init__(self, state):  # type: ignore[no-untyped-def]
        super().__init__(state)
        self._policies = state.settings.rate_limits
        self._limiter = state.limiter
        self._metrics = state.metrics

    async def on_request(self, request: TandemRequest) -> HTTPResponse | None:
        ctx = request.ctx
        access = ctx.access
        policy_name = "general" if access is None else access.rate_policy
        if policy_name is None or request.method == "OPTIONS":
            return None
        decision = await self._limiter.hit(self.checks(request, policy_name))
        if decision is None:
            return None
        decided = decision.check
        headers = self.headers(decided.policy_name, decided.policy, decision)
        if not decision.allowed:
            headers["Retry-After"] = errors.retry_after(decision.retry_after_seconds)
            self._metrics.rate_limited(decided.policy_name)
            raise errors.RateLimited("Too many requests; retry later", headers=headers)
        ctx.rate_limit_headers = headers
        return None

    def checks(self, request: TandemRequest, policy_name: str) -> list[Check]:
        ctx = request.ctx
        policies = self._policies
        ip = f"ip:{rate_subject(ctx.client_ip)}"
        checks: list[Check]
        if policy_name == "auth":
            account = self.account(request)
            checks = [
                Check("auth", f"{account}:{ip}", policies.auth),
                Check("auth_ip", ip, policies.auth_ip),
            ]
            if ctx.access is not None and ctx.access.mails_account:
                checks.append(Check("auth_account", account, policies.auth_account, disclosed=False))
        elif policy_name == "token":
            checks = [Check("token", ip, policies.token)]
            token = self.presented_token(request)
            if token is not None:
                checks.append(Check("token", token, policies.token))
        elif policy_name == "calendar_feed":
            checks = [Check("calendar_feed_ip", ip, policies.calendar_feed_ip)]
            token = self.presented_token(request)
            if token is not None:
                checks.append(Check("calendar_feed", token, policies.calendar_feed))
        elif policy_name == "refresh":
            checks = [Check("refresh", ip, policies.refresh)]
        else:
            policy: RatePolicy = getattr(policies, policy_name)
            subject = f"user:{ctx.principal.user_id}" if ctx.principal is not None else ip
            checks = [Check(policy_name, subject, policy)]
        if ctx.organization_id is not None:
            checks.append(Check("tenant", f"org:{ctx.organization_id}", policies.tenant))
        return checks

    @staticmethod
    def account(request: TandemRequest) -> str:
        """A digest of the account's canonical email (never the address itself in Redis):
        the signed-in user's on a signed-in route, else the one in the body, valid or
        not (issue 9 item 1.7). A session does not change whose account sign-in tries."""
        access, principal = request.ctx.access, request.ctx.principal
        if access is not None and access.authenticated and principal is not None:
            email = orjson.loads(principal.user_json).get("email")
        else:
            body = _json_body(request)
            email = body.get("email") if body is not None else None
        if not isinstance(email, str) or not email:
            return UNNAMED_ACCOUNT
        return f"account:{email_address.digest(email)[:32]}"

    @staticmethod
    def presented_token(request: TandemRequest) -> str | None:
        """A digest of the token or challenge presented, never the token itself: in the
        JSON body, or in the query string of a GET or HEAD (the calendar feed's URL)."""
        access = request.ctx.access
        field = access.token_field if access is not None else None
        if not field:
            return None
        token: object
        if request.method in ("GET", "HEAD"):
            token = request.args.get(field)
        else:
            body = _json_body(request)
            token = body.get(field) if body is not None else None
        if not isinstance(token, str) or not token:
            return None  # the body is refused (400) by the route; the IP check still counted
        digest = hashlib.sha256(token.encode(errors="surrogatepass")).hexdigest()
        return f"token:{digest[:32]}"

    @staticmethod
    def headers(policy_name: str, policy: RatePolicy, decision: Decision) -> dict[str, str]:
        window = int(policy.period_seconds)
        reset = max(0, math.ceil(decision.reset_seconds))
        return {
            "RateLimit-Policy": f'"{policy_name}";q={policy.limit};w={window}',
            "RateLimit": f'"{policy_name}";r={decision.remaining};t={reset}',
        }

    async def on_response(self, request: TandemRequest, response: HTTPResponse) -> None:
        if request.ctx.rate_limit_headers:
            response.headers.update(request.ctx.rate_limit_headers)


def _json_body(request: TandemRequest) -> dict[str, Any] | None:
    try:
        body = orjson.loads(request.body or b"{}")
    except orjson.JSONDecodeError:
        return None
    return body if isinstance(body, dict) else None
