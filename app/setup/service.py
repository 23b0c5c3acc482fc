"""First-run set-up (SPEC §4): the first account becomes the Owner, exactly once.

The Installation row has a fixed primary key and is inserted in the same transaction
as the Owner, so of any number of concurrent bootstraps exactly one commits; the
others fail on the key and roll back their user too.
"""

from __future__ import annotations

import hmac

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app.auth.passwords import PasswordHashing
from app.core import errors
from app.core.roles import Role
from app.organizations.schemas import OrganizationPublic
from app.setup.schemas import Bootstrap, Bootstrapped
from app.users.schemas import UserPublic
from models import Installation, Organization, OrganizationUser, User
from models.installation import INSTALLATION_ID

ALREADY_SET_UP = "This installation is already set up"


async def needs_setup() -> bool:
    """SPEC §4: set-up is open while no user exists."""
    return not await User.exists() and not await Installation.exists()


class SetupService:
    """Built at start-up (app.capabilities) with what it uses: the configured setup token
    ("" when set-up is disabled) and password hashing."""

    def __init__(self, *, setup_token: str, passwords: PasswordHashing) -> None:
        self.setup_token = setup_token
        self.passwords = passwords

    def check_token(self, given: str) -> None:
        if not self.setup_token:
            raise errors.Forbidden("Set-up is disabled: no setup token is configured (SETUP_TOKEN)")
        if not hmac.compare_digest(given.encode(), self.setup_token.encode()):
            raise errors.Forbidden("The setup token is wrong")

    async def bootstrap(self, data: Bootstrap) -> Bootstrapped:
        if not await needs_setup():
            raise errors.Conflict(ALREADY_SET_UP)
        password_hash = await self.passwords.hash(data.password)
        try:
            async with in_transaction():
                if await User.exists():
                    raise errors.Conflict(ALREADY_SET_UP)
                owner = await User.create(
                    name=data.name,
                    nickname=data.nickname,
                    email=data.email,
                    password_hash=password_hash,
                    global_role=Role.OWNER.value,
                )
                await Installation.create(id=INSTALLATION_ID, owner_id=owner.id)
                organization = None
                if data.organization is not None:
                    organization = await Organization.create(
                        name=data.organization.name, slug=data.organization.slug
                    )
                    await OrganizationUser.create(
                        organization=organization,
                        user=owner,
                        role_in_organization=Role.ORGANIZATION_ADMIN.value,
                    )
                    owner.current_organization_id = organization.id
                    await owner.save(update_fields=["current_organization_id", "updated_at"])
        except IntegrityError:
            raise errors.Conflict(ALREADY_SET_UP) from None  # another bootstrap won the race
        return Bootstrapped(
            user=UserPublic.of(owner),
            organization=OrganizationPublic.model_validate(organization) if organization else None,
        )
