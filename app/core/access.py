"""What a route needs, declared on the route (deny by default).

`@endpoint(...)` stores an Access on the handler and documents the route in
OpenAPI from the same declaration, so what is enforced and what is documented
cannot drift apart. At start-up every route is given its Access
(`attach_access`); the chain refuses a routed request whose route declares none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from sanic import Sanic

from app.core.roles import Role

# what a route names (middleware.rate_limit turns it into subjects); `auth_ip`,
# `auth_account` and `tenant` are counted alongside, never named by a route
RatePolicyName = Literal["auth", "token", "calendar_feed", "refresh", "general", "admin", "webhooks"]
ACCESS_ATTRIBUTE = "__tandem_access__"


@dataclass(frozen=True, slots=True)
class Access:
    """Requirements of one route. Every field is a requirement the chain enforces."""

    # a signed-in user is required (401 otherwise)
    authenticated: bool
    # X-Client-Key is required (SPEC §1 exemptions set this False)
    client_key: bool = True
    # the route acts inside one organization: membership resolved, non-members get 404
    organization: bool = False
    # lowest role level allowed (global role or role in the organization)
    min_role: Role | None = None
    # rate-limit policy; None for routes that are not limited (docs, health)
    rate_policy: RatePolicyName | None = "general"
    # for rate policy "token": the field holding the token or challenge presented, in the
    # JSON body, or in the query string of a GET (middleware.rate_limit)
    token_field: str | None = None
    # for rate policy "auth": the route emails the account's mailbox, so it also counts
    # against the account alone over every address (`auth_account`)
    mails_account: bool = False

    def __post_init__(self) -> None:
        if self.mails_account and self.rate_policy != "auth":
            raise ValueError("mails_account applies to the auth rate policy only")


PUBLIC = Access(authenticated=False, client_key=False, rate_policy=None)
ANONYMOUS = Access(authenticated=False)
AUTHENTICATED = Access(authenticated=True)
# SPEC §1 rate limits. "auth": per account (the email in the body, canonical spelling, or
# the signed-in user's) and client IP (IPv6 per /64) together, and per client IP alone
# ("auth_ip", a larger allowance). Keyed on the pair, so that requests naming someone's
# email from elsewhere never spend the owner's allowance (middleware.rate_limit).
AUTH_SIGN_IN = Access(authenticated=False, rate_policy="auth")
# the same, and the route emails the account (sign-up, forgot-password): also counted
# per account alone over every address ("auth_account"), to bound mail to one mailbox
AUTH_MAILS_ACCOUNT = Access(authenticated=False, rate_policy="auth", mails_account=True)
# signed in, limited like the auth routes with the signed-in user as the account: the
# route checks a secret (MFA enroll/activate/disable, DELETE /me)
AUTHENTICATED_AUTH = Access(authenticated=True, rate_policy="auth")
# signed in, and the route emails the account (resend verification, profile change
# requests): also counted under "auth_account"
AUTHENTICATED_MAILS_ACCOUNT = Access(authenticated=True, rate_policy="auth", mails_account=True)
# "token": per client IP and per token presented (a digest of it, never the token)
BY_EMAILED_TOKEN = Access(authenticated=False, rate_policy="token", token_field="token")
# the same for a signed-in user presenting an emailed token (accepting an invite)
AUTHENTICATED_BY_EMAILED_TOKEN = Access(authenticated=True, rate_policy="token", token_field="token")
# the calendar feed (GET /sessions/calendar.ics?token=…), read by calendar apps, which send
# neither X-Client-Key nor a session: the token in the query string is the credential.
# Limited by its own policy, per token and (more loosely) per client IP: the big calendar
# services fetch many people's feeds from a few addresses, which must neither be refused
# nor spend those addresses' allowance for emailed tokens
BY_FEED_TOKEN = Access(
    authenticated=False, client_key=False, rate_policy="calendar_feed", token_field="token"
)
BY_MFA_CHALLENGE = Access(authenticated=False, rate_policy="token", token_field="mfa_token")
# "refresh": per client IP, apart from sign-in (apps refresh often, and unattended)
REFRESH = Access(authenticated=False, rate_policy="refresh")

# acting inside one organization (SPEC §5): any active member, or a global role
ORG_MEMBER = Access(authenticated=True, organization=True)
ORG_MANAGER = Access(authenticated=True, organization=True, min_role=Role.MANAGER)
ORG_ADMIN = Access(authenticated=True, organization=True, min_role=Role.ORGANIZATION_ADMIN)
# users administration, /admin and diagnostics: PlatformAdmin or Owner, under the admin limit
PLATFORM_ADMIN = Access(authenticated=True, min_role=Role.PLATFORM_ADMIN, rate_policy="admin")

Handler = Callable[..., Awaitable[Any]]


def declare(access: Access) -> Callable[[Handler], Handler]:
    """Attach `access` to a handler without any other behaviour."""

    def decorate(handler: Handler) -> Handler:
        setattr(handler, ACCESS_ATTRIBUTE, access)
        return handler

    return decorate


def access_of(handler: Any) -> Access | None:
    return getattr(handler, ACCESS_ATTRIBUTE, None)


def attach_access(app: Sanic) -> list[str]:
    """Copy each handler's Access onto its route; returns routes that declare none
    (HEAD and OPTIONS routes carry theirs: app.core.automatic_routes)."""
    undeclared = []
    for route in app.router.routes:
        access = access_of(route.handler)
        if access is None:
            undeclared.append(route.name)
        route.ctx.access = access
    return undeclared
