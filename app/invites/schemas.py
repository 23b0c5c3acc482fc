"""Request and response shapes of invites (SPEC §5). No shape ever carries the token: it
exists only in the email."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from app.core.callbacks import CallbackUrl
from app.core.pagination import PageQuery
from app.core.schemas import EmailAddress, RequestModel, ResponseModel
from app.core.tokens import TOKEN_PATTERN

# the roles of app.core.roles.ORGANIZATION_ROLES: a global role is never granted by an
# invite (400), and one above the inviter's own is refused by app.core.policy (403)
OrganizationRoleName = Literal["OrganizationAdmin", "Manager", "Coach", "Teacher"]
# what a client sees: `expired` is a pending invite past its expiry (computed, not stored)
InviteStatusName = Literal["pending", "accepted", "revoked", "replaced", "expired"]
InviteToken = Annotated[str, Field(pattern=TOKEN_PATTERN, description="The token from the invite email")]


class InviteCreate(RequestModel):
    email: EmailAddress
    role: OrganizationRoleName = Field(description="Not above the inviter's own role")
    callback_url: CallbackUrl | None = Field(
        None, description="Page the invite email links to; default: the web app's /accept-invite"
    )


class InviteResend(RequestModel):
    callback_url: CallbackUrl | None = Field(
        None, description="Page the invite email links to; default: the web app's /accept-invite"
    )


class InviteQuery(PageQuery):
    status: InviteStatusName | None = Field(None, description="Only invites in this status")


class InvitePublic(ResponseModel):
    id: UUID
    organization_id: UUID
    email: str
    role: str
    status: InviteStatusName
    invited_by_id: UUID | None
    expires_at: datetime
    accepted_at: datetime | None
    accepted_by_id: UUID | None
    revoked_at: datetime | None
    resent_count: int = Field(description="Times the invite email was sent again")
    created_at: datetime


class AcceptInvite(RequestModel):
    token: InviteToken


class InviteAccepted(ResponseModel):
    """The membership the invite gave."""

    organization_id: UUID
    organization_name: str
    role_in_organization: str
    current_organization_id: UUID | None = Field(description="The user's current organization now")


class MyInvite(ResponseModel):
    """An invite waiting for me: accept it with the token from its email."""

    id: UUID
    organization_id: UUID
    organization_name: str
    role: str
    expires_at: datetime
    created_at: datetime
