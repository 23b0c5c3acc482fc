"""Request and response shapes of /me beyond the user itself."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import available_timezones

import orjson
from pydantic import Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from app.auth.passwords import GivenPassword
from app.core.audit import AuditEventPublic
from app.core.schemas import RequestModel, ResponseModel, omit_default, refuse_null
from app.users.schemas import UserPublic

PREFERENCES_MAX_BYTES = 16_384
PREFERENCES_MAX_KEYS = 50
# the export carries the newest audit entries about me up to this many (older ones stay
# in the log; an administrator can read them out)
EXPORTED_AUDIT_EVENTS = 1_000


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


class MeUpdate(RequestModel):
    """Only these fields can be changed directly; name, nickname, email and password go
    through /profile (confirmed by email), roles through an administrator."""

    # documented without null (and without a null default): null is refused, see below
    timezone: Annotated[str, Field(max_length=64)] | SkipJsonSchema[None] = Field(
        None,
        description="IANA time zone, e.g. Europe/Paris",
        json_schema_extra=omit_default,
    )
    locale: (
        Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,4}$", max_length=35)]
        | SkipJsonSchema[None]
    ) = Field(
        None,
        description="BCP 47 language tag, e.g. en-GB",
        json_schema_extra=omit_default,
    )
    preferences: dict[str, Any] | SkipJsonSchema[None] = Field(
        None,
        description=f"Client settings; replaces the stored object; at most "
        f"{PREFERENCES_MAX_KEYS} keys and {PREFERENCES_MAX_BYTES} bytes as JSON",
        json_schema_extra=omit_default,
    )

    @field_validator("timezone", "locale", "preferences", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return refuse_null(value)

    @field_validator("timezone")
    @classmethod
    def _known_time_zone(cls, value: str | None) -> str | None:
        if value is not None and value not in _time_zones():
            raise ValueError("not an IANA time zone")
        return value

    @field_validator("preferences")
    @classmethod
    def _bounded(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return value
        if len(value) > PREFERENCES_MAX_KEYS:
            raise ValueError(f"at most {PREFERENCES_MAX_KEYS} keys")
        try:
            size = len(orjson.dumps(value))
        except orjson.JSONEncodeError:
            # nested deeper than orjson writes (it reads deeper than it writes)
            raise ValueError("nested too deeply") from None
        if size > PREFERENCES_MAX_BYTES:
            raise ValueError(f"at most {PREFERENCES_MAX_BYTES} bytes as JSON")
        return value


class CurrentOrganizationChoice(RequestModel):
    organization_id: UUID


class AccountDeletion(RequestModel):
    password: GivenPassword = Field(description="The current password, asked again")


class ExportedMembership(ResponseModel):
    organization_id: UUID
    organization_name: str
    role_in_organization: str
    status: str
    created_at: datetime


class ExportedSession(ResponseModel):
    id: UUID
    kind: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    ip_address: str
    user_agent: str


class AccountExport(ResponseModel):
    """Everything the platform holds about me (data portability). Never a hash or secret."""

    exported_at: datetime
    user: UserPublic
    memberships: list[ExportedMembership]
    sessions: list[ExportedSession]
    recovery_codes_left: int = Field(description="Unused two-factor recovery codes")
    audit_events: list[AuditEventPublic] = Field(
        description=f"Audit entries where I acted or my account was acted on, newest first, "
        f"at most the newest {EXPORTED_AUDIT_EVENTS}"
    )
