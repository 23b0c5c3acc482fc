"""One typed, validated settings object: its sections, each setting with its bounds.

Built once at start by `app.core.settings_sources.load_settings` from `config.toml`,
`.env` and the environment. No other module reads the environment (ARCHITECTURE.md,
Configuration).
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.core.origins import parse_origin

MIN_SECRET_LENGTH = 32
KEY_HINT = "set CLIENT_API_KEYS (generate one with `python server.py keys generate`)"


def _origins(values: tuple[str, ...]) -> tuple[str, ...]:
    """Origins exactly as browsers send them (`scheme://host[:port]`, no path, no
    trailing slash): anything else would silently never match."""
    for value in values:
        parts = urlsplit(value)
        if (
            parts.scheme not in {"http", "https"}
            or not parts.netloc
            or value != (f"{parts.scheme}://{parts.netloc}")
        ):
            raise ValueError(f"{value!r} is not an origin like https://app.example.com")
        parse_origin(value)  # no user info, a valid port and host (ValueError otherwise)
    return values


def _networks(values: tuple[str, ...]) -> tuple[str, ...]:
    """Addresses or CIDR networks; a bad entry is a ValueError that names it."""
    for value in values:
        ipaddress.ip_network(value, strict=False)
    return values


class _Section(BaseModel):
    # A typo in config.toml is an error naming the key, not a silently ignored setting.
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1, le=64)
    dev: bool = False
    # how clients reach us; empty means http://HOST:PORT
    public_url: str = ""
    trusted_proxies: tuple[str, ...] = ()
    max_body_bytes: int = Field(1_048_576, ge=1024)
    request_timeout_seconds: int = Field(30, ge=1)
    access_log: bool = True

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _networks(value)


class SecuritySettings(_Section):
    client_api_keys: tuple[str, ...] = ()
    secret_key: str = ""
    setup_token: str = ""
    hide_account_existence: bool = True
    hsts_seconds: int = Field(31_536_000, ge=0)
    # every callback_url must be on one of these or on accounts.app_url's origin
    # (Settings.callback_origins; no open redirects)
    trusted_origins: tuple[str, ...] = ()

    @field_validator("trusted_origins")
    @classmethod
    def _trusted_are_origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _origins(value)

    @field_validator("client_api_keys")
    @classmethod
    def _keys_are_long(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        keys = tuple(key.strip() for key in value if key.strip())
        if not keys:
            raise ValueError(f"no client key is configured; {KEY_HINT}")
        for key in keys:
            if len(key) < MIN_SECRET_LENGTH:
                raise ValueError(f"a client key is shorter than {MIN_SECRET_LENGTH} characters; {KEY_HINT}")
        return keys

    @field_validator("secret_key")
    @classmethod
    def _secret_is_long(cls, value: str) -> str:
        if len(value) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"{'is too short' if value else 'is not set'}: set SECRET_KEY, at least "
                f"{MIN_SECRET_LENGTH} characters"
            )
        return value


class PasswordSettings(_Section):
    """argon2id cost; OWASP's minimum is m=19 MiB, t=2, p=1 and lower is refused."""

    time_cost: int = Field(3, ge=2)
    memory_cost_kib: int = Field(65_536, ge=19_456)
    parallelism: int = Field(4, ge=1)


class AccountSettings(_Section):
    """Email tokens and sign-in lockout."""

    email_token_seconds: int = Field(3600, ge=60)
    # the web app; emails link to its pages when a request names no callback_url, and
    # its origin is always a trusted callback origin and an allowed CORS origin
    app_url: str = "http://127.0.0.1:3000"
    # after this many failed sign-ins in a row for one email from one client IP (IPv6: its
    # /64), sign-in from there waits lockout_seconds
    lockout_after_failures: int = Field(10, ge=1)
    lockout_seconds: int = Field(900, ge=1)
    # failures for one email from every IP within lockout_seconds before the whole account
    # waits lockout_seconds (and its owner is emailed); far above the per-IP limit, so that
    # knowing an email is not enough to keep its owner out
    lockout_account_wide_after_failures: int = Field(100, ge=1)
    mfa_challenge_seconds: int = Field(300, ge=30)
    mfa_issuer: str = "Tandem"

    @field_validator("app_url")
    @classmethod
    def _app_url_is_a_web_page(cls, value: str) -> str:
        # its origin is trusted and links are built on it: it must be a plain http(s)
        # URL (no user info, query or fragment; nothing a browser would read otherwise)
        parse_origin(value)  # ValueError names the problem
        parts = urlsplit(value)
        if parts.query or parts.fragment or not value.isprintable() or " " in value or "\\" in value:
            raise ValueError(f"{value!r} is not a web app URL like https://app.example.com")
        return value


class OutboxSettings(_Section):
    # how often each API process re-publishes what a crash or a broker outage left behind
    relay_interval_seconds: float = Field(5, gt=0)
    # a row claimed by a relay is left alone this long before another relay may retry it
    claim_seconds: float = Field(30, gt=0)
    batch_size: int = Field(100, ge=1)


class DatabaseSettings(_Section):
    url: str = "sqlite://var/tandem.sqlite3"
    pool_min_size: int = Field(1, ge=1)
    pool_max_size: int = Field(10, ge=1)

    @field_validator("url")
    @classmethod
    def _supported_scheme(cls, value: str) -> str:
        scheme = value.split("://", 1)[0]
        if scheme not in {"sqlite", "postgres", "postgresql", "asyncpg"}:
            raise ValueError("must start with sqlite:// or postgres://")
        return value

    @property
    def dialect(self) -> Literal["sqlite", "postgres"]:
        return "sqlite" if self.url.startswith("sqlite") else "postgres"


class RedisSettings(_Section):
    url: str = ""
    timeout_seconds: float = Field(0.25, gt=0)
    retry_after_seconds: float = Field(2.0, ge=0)

    @field_validator("url")
    @classmethod
    def _redis_scheme(cls, value: str) -> str:
        # it is the broker's URL too when BROKER_URL is unset: refuse it here, by name,
        # rather than with a traceback from whichever client first connects
        if value and value.split("://", 1)[0] not in {"redis", "rediss", "unix"}:
            raise ValueError("must be empty (no Redis) or start with redis://, rediss:// or unix://")
        return value


BROKER_SCHEMES = frozenset({"redis", "rediss", "amqp", "amqps"})


class BrokerSettings(_Section):
    url: str = ""
    max_retries: int = Field(5, ge=0)
    min_backoff_ms: int = Field(1000, ge=0)
    max_backoff_ms: int = Field(300_000, ge=0)
    time_limit_ms: int = Field(60_000, ge=1)
    dead_letter_ttl_ms: int = Field(604_800_000, ge=1)

    @field_validator("url")
    @classmethod
    def _supported_scheme(cls, value: str) -> str:
        # "" is the in-process broker; anything else must be one dramatiq can connect to
        if value and value.split("://", 1)[0] not in BROKER_SCHEMES:
            raise ValueError(
                "must be empty (in-process broker) or start with redis://, rediss://, amqp:// or amqps://"
            )
        return value


class EmailSettings(_Section):
    backend: Literal["folder", "smtp"] = "folder"
    folder: str = "var/mail"
    smtp_url: str = ""
    from_address: str = "Tandem <no-reply@tandem.localhost>"
    timeout_seconds: float = Field(10, gt=0)


class SessionSettings(_Section):
    cookie_name: str = "tandem_session"
    idle_timeout_seconds: int = Field(604_800, ge=60)
    absolute_lifetime_seconds: int = Field(2_592_000, ge=60)
    touch_interval_seconds: int = Field(60, ge=1)
    local_cache_seconds: float = Field(30, ge=0)
    local_cache_size: int = Field(10_000, ge=0)
    # bearer access tokens end after this; POST /auth/refresh gives a new pair
    access_token_seconds: int = Field(3600, ge=60)


class OrganizationSettings(_Section):
    # any user with a verified email may create an organization; false: PlatformAdmin only
    self_service: bool = True
    invite_ttl_seconds: int = Field(604_800, ge=60)
    # against mail-bombing one mailbox through invites (docs/invites.md): one invite email
    # per address and organization per interval (invite, re-invite, resend), this many
    # resends of one invite, and this many new invites to one address per organization a day
    invite_send_interval_seconds: int = Field(60, ge=0)
    invite_max_resends: int = Field(5, ge=0)
    invites_per_address_per_day: int = Field(5, ge=1)
    # the same over every organization: anyone may create organizations (self_service)
    invites_per_address_per_day_everywhere: int = Field(20, ge=1)


class CoachingSettings(_Section):
    """SPEC §6: scheduling bounds, the notice window and reminders."""

    # a teacher cannot cancel or reschedule closer to the start than this; a coach or a
    # Manager may, with a reason (kept on the session)
    notice_window_seconds: int = Field(86_400, ge=0)
    min_session_seconds: int = Field(300, ge=60)
    max_session_seconds: int = Field(28_800, ge=300)
    # how far ahead a session may be scheduled (a series' last occurrence included)
    max_schedule_ahead_days: int = Field(730, ge=1)
    max_series_occurrences: int = Field(52, ge=1, le=52)
    # reminders go to both participants this long before the start (each once)
    reminder_offsets_seconds: tuple[int, ...] = (86_400, 3_600)
    # how often a worker looks for reminders that are due
    reminder_poll_seconds: float = Field(30, gt=0)


class EventSettings(_Section):
    """SPEC §7 live events (Server-Sent Events)."""

    heartbeat_seconds: float = Field(15, gt=0)
    # Last-Event-ID replays what an organization published within the latest this-many events
    replay_events: int = Field(1000, ge=0)
    # and no older than this
    replay_seconds: int = Field(3600, ge=0)
    # streams one user may hold open at once per process (each costs memory)
    max_streams_per_user: int = Field(10, ge=1)


class IdempotencySettings(_Section):
    # how long a key's first response is replayed (SPEC §1: 24 h)
    ttl_seconds: int = Field(86_400, ge=60)
    # a request still running after this is presumed dead and its key may be used again
    lock_seconds: int = Field(60, ge=1)


class MiddlewareSettings(_Section):
    chain: tuple[str, ...] = (
        "request_context",
        "security_headers",
        "client_key",
        "session",
        "organization",
        "rate_limit",
        "idempotency",
    )


class RatePolicy(_Section):
    limit: int = Field(ge=1)
    period_seconds: float = Field(gt=0)


def _policy(limit: int, period_seconds: float = 60) -> Any:
    return Field(default_factory=lambda: RatePolicy(limit=limit, period_seconds=period_seconds))


class RateLimitSettings(_Section):
    """SPEC §1 "Rate limits"; the subject of each policy is in middleware.rate_limit."""

    # per account named (in the body, or the signed-in user's) and client IP together, on
    # every auth route (sign-in, sign-up, forgot-password, resend, MFA, re-checks)
    auth: RatePolicy = _policy(5)
    # per client IP over every auth route: an office behind one address signs in its people
    auth_ip: RatePolicy = _policy(60)
    # per account alone, over every address, on the auth routes that email the account
    # (sign-up, forgot-password, resend verification, profile change requests)
    auth_account: RatePolicy = _policy(10, 3600)
    # per client IP and, separately, per token or challenge presented
    token: RatePolicy = _policy(20)
    # per client IP
    refresh: RatePolicy = _policy(60)
    general: RatePolicy = _policy(100)
    admin: RatePolicy = _policy(50)
    tenant: RatePolicy = _policy(2000)
    webhooks: RatePolicy = _policy(600)
    # the calendar feed: per token (one person's calendar apps), and per client IP (a
    # calendar service fetching many people's feeds from one address)
    calendar_feed: RatePolicy = _policy(30)
    calendar_feed_ip: RatePolicy = _policy(1200)


class PaginationSettings(_Section):
    default_limit: int = Field(50, ge=1)
    max_limit: int = Field(200, ge=1)
    # `total_count` is exact up to this many rows; a larger list's count is cached
    exact_count_limit: int = Field(1000, ge=1)
    count_cache_seconds: float = Field(10, ge=0)
    count_cache_size: int = Field(1024, ge=0)


class CorsSettings(_Section):
    origins: tuple[str, ...] = ()
    max_age_seconds: int = Field(600, ge=0)

    @field_validator("origins")
    @classmethod
    def _are_origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _origins(value)


class DocsSettings(_Section):
    enabled: bool = True
    public: bool = True


class LoggingSettings(_Section):
    level: Annotated[str, Field(pattern="^(DEBUG|INFO|WARNING|ERROR|CRITICAL)$")] = "INFO"
    # "auto": JSON lines, or readable text when server.dev is on
    format: Literal["auto", "json", "text"] = "auto"


class MetricsSettings(_Section):
    """Prometheus metrics at GET /api/metrics (docs/observability.md)."""

    enabled: bool = True
    # PROMETHEUS_MULTIPROC_DIR: shared by every API and worker process of one host;
    # empty means this process counts for itself alone
    multiprocess_dir: str = ""
    # a scraper sending `Authorization: Bearer <token>` is allowed from anywhere
    token: str = ""
    # callers from these networks are allowed without the token
    allowed_networks: tuple[str, ...] = ("127.0.0.1/32", "::1/128")

    @field_validator("token")
    @classmethod
    def _token_is_long(cls, value: str) -> str:
        if value and len(value) < MIN_SECRET_LENGTH:
            raise ValueError(f"must be empty or at least {MIN_SECRET_LENGTH} characters")
        return value

    @field_validator("allowed_networks")
    @classmethod
    def _are_networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _networks(value)


class Settings(_Section):
    server: ServerSettings = Field(default_factory=ServerSettings)
    security: SecuritySettings
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    broker: BrokerSettings = Field(default_factory=BrokerSettings)
    email: EmailSettings = Field(default_factory=EmailSettings)
    passwords: PasswordSettings = Field(default_factory=PasswordSettings)
    accounts: AccountSettings = Field(default_factory=AccountSettings)
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
    sessions: SessionSettings = Field(default_factory=SessionSettings)
    organizations: OrganizationSettings = Field(default_factory=OrganizationSettings)
    coaching: CoachingSettings = Field(default_factory=CoachingSettings)
    events: EventSettings = Field(default_factory=EventSettings)
    idempotency: IdempotencySettings = Field(default_factory=IdempotencySettings)
    middleware: MiddlewareSettings = Field(default_factory=MiddlewareSettings)
    rate_limits: RateLimitSettings = Field(default_factory=RateLimitSettings)
    pagination: PaginationSettings = Field(default_factory=PaginationSettings)
    cors: CorsSettings = Field(default_factory=CorsSettings)
    docs: DocsSettings = Field(default_factory=DocsSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)

    @model_validator(mode="after")
    def _several_processes_share_through_redis(self) -> Settings:
        """Several server processes share live events, sessions and rate limits through
        Redis, and only PostgreSQL decides their double bookings (SQLite's one serialized
        writer is per process): without them, a second process would silently miss events
        and race the first."""
        if self.server.workers > 1 and (not self.redis.url or self.database.dialect == "sqlite"):
            raise ValueError("server.workers > 1 needs redis.url (REDIS_URL) and PostgreSQL (DATABASE_URL)")
        return self

    @property
    def app_origin(self) -> str:
        """The origin of accounts.app_url, as a browser sends it."""
        return str(parse_origin(self.accounts.app_url))

    @property
    def callback_origins(self) -> tuple[str, ...]:
        """Where emailed links may lead: security.trusted_origins and, always, the web
        app of accounts.app_url (default links already go there)."""
        return _with(self.security.trusted_origins, self.app_origin)

    @property
    def cors_origins(self) -> tuple[str, ...]:
        """Browser origins allowed by CORS: cors.origins and, always, the web app's."""
        return _with(self.cors.origins, self.app_origin)

    @property
    def broker_url(self) -> str:
        """The broker to use: explicit, else Redis when configured, else in-process."""
        return self.broker.url or self.redis.url

    @property
    def json_logs(self) -> bool:
        """JSON lines unless asked for text, or left to "auto" in dev mode."""
        chosen = self.logging.format
        return chosen == "json" or (chosen == "auto" and not self.server.dev)


def _with(origins: tuple[str, ...], origin: str) -> tuple[str, ...]:
    return origins if origin in origins else (*origins, origin)


class SettingsError(Exception):
    """Settings are invalid; the message names every offending setting."""
