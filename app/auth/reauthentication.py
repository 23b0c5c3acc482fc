"""Asking a signed-in user for their password again, before a sensitive change.

Wrong answers count towards the account lockout exactly as failed sign-ins do: whoever
holds only a stolen session must not get an unlimited password oracle.
"""

from __future__ import annotations

from app.auth import lockout
from app.auth.passwords import verify_password
from app.core import errors
from app.core.settings import AccountSettings
from models import User


async def confirm_password(user: User, password: str, settings: AccountSettings) -> None:
    """Return when `password` is the user's; 429 while locked, 422 when wrong."""
    await lockout.check(user.email)
    if not await verify_password(user.password_hash, password):
        await lockout.record_failure(user.email, settings)
        raise errors.IncorrectPassword("The password is incorrect")
