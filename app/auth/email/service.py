"""Emailed account flows (SPEC §2): email verification and forgotten passwords.

Each token is issued and its email staged in the same transaction (outbox), so an
email exists exactly when its token does. Forgot-password lives in
app/auth/forgot_password.py: its answer must not depend on whether the account exists.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from app.auth import lockout, one_time_tokens
from app.auth.one_time_tokens import Purpose
from app.auth.passwords import PasswordHashing
from app.auth.sessions import SessionStore
from app.core import errors
from app.core.callbacks import Callback, check_callback_url
from app.core.settings import Settings
from app.emails.render import moment
from app.outbox.staging import stage_email, wake_relay
from models import User

VERIFY_PAGE = "/verify-email"


def callback_or_default(callback_url: str | None, settings: Settings, page: str) -> Callback:
    """The client's callback_url when acceptable (400 otherwise), else the web app's `page`;
    either way parsed by the one rule (app/core/callbacks.py)."""
    url = callback_url or settings.accounts.app_url.rstrip("/") + page
    return check_callback_url(url, settings.callback_origins)


async def stage_verification(user: User, *, callback: Callback, settings: Settings) -> None:
    """Issue a verification token and stage its email; call inside the caller's transaction."""
    ttl = settings.accounts.email_token_seconds
    token = await one_time_tokens.issue(
        user.id, Purpose.VERIFY_EMAIL, ttl_seconds=ttl, payload={"email": user.email}
    )
    await stage_email(
        "verify_email",
        to=user.email,
        context={
            "name": user.name,
            "link": one_time_tokens.link(callback, token),
            "expires_minutes": ttl // 60,
        },
    )


async def resend_verification(user_id: object, *, callback: Callback, settings: Settings) -> bool:
    """A fresh verification email (the previous link stops working); False if already verified."""
    async with in_transaction():
        user = await User.get(id=user_id)
        if user.email_verified_at is not None:
            return False
        await stage_verification(user, callback=callback, settings=settings)
    wake_relay()
    return True


async def verify_email(token: str, *, sessions: SessionStore) -> None:
    """Mark the email verified; the token must be for the address the user still has."""
    async with in_transaction():
        row = await one_time_tokens.spend(token, Purpose.VERIFY_EMAIL)
        user = await User.get(id=row.user_id)
        if user.email != row.payload.get("email") or user.deleted_at is not None:
            raise errors.InvalidToken("This token is invalid, already used or expired")
        if user.email_verified_at is None:
            user.email_verified_at = datetime.now(UTC)
            await user.save(update_fields=["email_verified_at", "updated_at"])
    await sessions.refresh_user(user.id)


async def reset_password(
    token: str, new_password: str, *, passwords: PasswordHashing, sessions: SessionStore
) -> None:
    """Set the new password, end every session of the user (SPEC §1) and lift every
    sign-in lock of the account: whoever reads the mailbox is the owner, and an attacker
    who keeps the account locked must not keep them out."""
    password_hash = await passwords.hash(new_password)  # before the transaction: slow CPU work
    async with in_transaction():
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
            "password_changed",
            to=user.email,
            context={
                "name": user.name,
                "when": moment(datetime.now(UTC)),
            },
        )
    wake_relay()
    await sessions.revoke_all(user.id)
