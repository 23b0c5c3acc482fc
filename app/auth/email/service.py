"""Emailed account flows (SPEC §2): email verification and forgotten passwords.

Each token is issued and its email staged in the same unit of work (outbox), so an
email exists exactly when its token does. Forgot-password lives in
app/auth/forgot_password.py: its answer must not depend on whether the account exists.
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.auth import lockout, one_time_tokens, session_effects
from app.auth.one_time_tokens import Purpose
from app.auth.passwords import PasswordHashing
from app.auth.sessions import SessionStore
from app.core import errors
from app.core.callbacks import Callback, check_callback_url
from app.core.settings import Settings
from app.core.unit_of_work import UnitOfWork, UnitsOfWork
from app.emails.render import moment
from app.outbox.staging import stage_email
from models import User

VERIFY_PAGE = "/verify-email"


def callback_or_default(callback_url: str | None, settings: Settings, page: str) -> Callback:
    """The client's callback_url when acceptable (400 otherwise), else the web app's `page`;
    either way parsed by the one rule (app/core/callbacks.py)."""
    url = callback_url or settings.accounts.app_url.rstrip("/") + page
    return check_callback_url(url, settings.callback_origins)


async def stage_verification(work: UnitOfWork, user: User, *, callback: Callback, settings: Settings) -> None:
    """Issue a verification token and stage its email, in the caller's unit of work."""
    await one_time_tokens.email_token(
        work,
        user,
        Purpose.VERIFY_EMAIL,
        "verify_email",
        callback=callback,
        ttl_seconds=settings.accounts.email_token_seconds,
        payload={"email": user.email},
    )


async def resend_verification(
    user_id: object, *, callback: Callback, settings: Settings, units: UnitsOfWork
) -> bool:
    """A fresh verification email (the previous link stops working); False if already verified."""
    async with units() as work:
        user = await User.get(id=user_id)
        if user.email_verified_at is not None:
            return False
        await stage_verification(work, user, callback=callback, settings=settings)
    return True


async def verify_email(token: str, *, units: UnitsOfWork) -> None:
    """Mark the email verified; the token must be for the address the user still has."""
    async with units() as work:
        row = await one_time_tokens.spend(token, Purpose.VERIFY_EMAIL)
        user = await User.get(id=row.user_id)
        if user.email != row.payload.get("email") or user.deleted_at is not None:
            raise errors.InvalidToken()
        if user.email_verified_at is None:
            user.email_verified_at = datetime.now(UTC)
            await user.save(update_fields=["email_verified_at", "updated_at"])
        session_effects.refresh_user(work, user.id)


async def reset_password(
    token: str, new_password: str, *, passwords: PasswordHashing, sessions: SessionStore, units: UnitsOfWork
) -> None:
    """Set the new password, end every session of the user (SPEC §1) and lift every
    sign-in lock of the account: whoever reads the mailbox is the owner, and an attacker
    who keeps the account locked must not keep them out."""
    password_hash = await passwords.hash(new_password)  # before the transaction: slow CPU work
    async with units() as work:
        row = await one_time_tokens.spend(token, Purpose.RESET_PASSWORD)
        user = await User.get(id=row.user_id)
        # whoever prompted the reset may have lost the mailbox or the session for a while:
        # changes requested meanwhile (password, profile, an email change half done)
        # must not complete after it
        await one_time_tokens.supersede_pending(user.id)
        user.password_hash = password_hash
        # the link reached this address, which proves it as verification would
        user.email_verified_at = user.email_verified_at or datetime.now(UTC)
        await user.save(update_fields=["password_hash", "email_verified_at", "updated_at"])
        await lockout.lift(user.email)
        await stage_email(
            work,
            "password_changed",
            to=user.email,
            context={
                "name": user.name,
                "when": moment(datetime.now(UTC)),
            },
        )
        await session_effects.revoke_all(work, sessions, user.id)
