"""Asking a signed-in user for a secret again (password, TOTP or recovery code) before a
sensitive change.

Wrong answers count towards the sign-in lockout exactly as failed sign-ins do, per
account and client IP (app/auth/lockout.py): whoever holds only a stolen session must
not get an unlimited password or code oracle. A right answer does not clear the count;
only a successful sign-in does.
"""

from __future__ import annotations

from app.auth import lockout
from app.auth.passwords import PasswordHashing
from app.core import errors
from app.core.settings import AccountSettings
from app.core.unit_of_work import UnitsOfWork
from models import User


async def confirm_password(
    user: User,
    password: str,
    settings: AccountSettings,
    *,
    passwords: PasswordHashing,
    client_ip: str,
    units: UnitsOfWork,
) -> None:
    """Return when `password` is the user's; 429 while locked, 422 when wrong."""
    await lockout.check(user.email, client_ip)
    if not await passwords.verify(user.password_hash, password):
        await lockout.record_failure(user.email, client_ip, settings, units=units)
        raise errors.IncorrectPassword("The password is incorrect")


async def wrong_code(
    user: User, settings: AccountSettings, *, client_ip: str, units: UnitsOfWork
) -> errors.IncorrectCode:
    """Count a wrong TOTP or recovery code like a wrong password; the error to raise."""
    await lockout.record_failure(user.email, client_ip, settings, units=units)
    return errors.IncorrectCode("The code is incorrect or was already used")
