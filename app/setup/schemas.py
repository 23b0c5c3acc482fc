"""Shapes of first-run set-up."""

from __future__ import annotations

from pydantic import Field

from app.auth.passwords import NewPassword
from app.auth.schemas import NICKNAME_PATTERN
from app.core.schemas import EmailAddress, RequestModel, ResponseModel
from app.core.text import DisplayName
from app.organizations.schemas import OrganizationPublic
from app.users.schemas import UserPublic


class SetupStatus(ResponseModel):
    needs_setup: bool


class FirstOrganization(RequestModel):
    name: DisplayName
    slug: str = Field(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$", description="URL-safe, unique")


class Bootstrap(RequestModel):
    """The first account (it becomes the Owner), and optionally a first organization."""

    name: DisplayName
    nickname: str = Field(pattern=NICKNAME_PATTERN, description="3–32 of [a-z0-9_-]")
    email: EmailAddress
    password: NewPassword
    setup_token: str = Field(min_length=1, max_length=256, description="SETUP_TOKEN, printed at first start")
    organization: FirstOrganization | None = None


class Bootstrapped(ResponseModel):
    user: UserPublic
    organization: OrganizationPublic | None
