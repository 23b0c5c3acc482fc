"""Emailed account flows (SPEC §2): email verification and forgotten passwords.

Each token is issued and its email staged in the same unit of work (outbox), so an
email exists exactly when its token does. Forgot-password lives in
app/auth/forgot_password.py: its answer must not depend on whether the account exists.
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.auth import forgot_password, lockout, one_time_tokens, session_effects
from app.auth.one_time_tokens import Purpose
from app.auth.passwords import PasswordHashing
from app.auth.sessions import SessionStore
from app.core import errors
from app.core.callbacks import Callback, check_callback_url
from app.core.session_effects import refresh_user
from app.core.settings import AccountSettings
from app.core.unit_of_work import UnitOfWork, UnitsOfWork
from app.emails.render import moment
from app.outbox.staging import stage_email
from models import User

VERIFY_PAGE = "/verify-email"


class EmailFlows:
    """Built at start-up (app.capabilities) with what it uses: the accounts settings,
    where emailed links may lead, password hashing, the session store and the units of work."""

    def __init__(
        self,
        *,
        accounts: AccountSettings,
        callback_origins: tuple[str, ...],
        passwords: PasswordHashing,
        sessions: SessionStore,
        units: UnitsOfWork,
    ) -> None:
        self.accounts = accounts
        self.callback_origins = callback_origins
        self.passwords = passwords
        self.sessions = sessions
        self.units = units

    def check_callback(self, url: str) -> Callback:
        """`url` as a checked callback on a trusted origin; else 400 (app.core.callbacks)."""
        return check_callback_url(url, self.callback_origins)

    def callback_or_default(self, callback_url: str | None, page: str) -> Callback:
        """The client's callback_url when acceptable (400 otherwise), else the web app's `page`;
        either way parsed by the one rule (app/core/callbacks.py)."""
        return self.check_callback(callback_url or self.accounts.app_url.rstrip("/") + page)

    async def stage_verification(self, work: UnitOfWork, user: User, *, callback: Callback) -> None:
        """Issue a verification token and stage its email, in the caller's unit of work."""
        await one_time_tokens.email_token(
            work,
            user,
            Purpose.VERIFY_EMAIL,
            "verify_email",
            callback=callback,
            ttl_seconds=self.accounts.email_token_seconds,
            payload={"email": user.email},
        )

    async def resend_verification(self, user_id: object, *, callback: Callback) -> bool:
        """A fresh verification email (the previous link stops working); False if already verified."""
        async with self.units() as work:
            user = await User.get(id=user_id)
            if user.email_verified_at is not None:
                return False
            await self.stage_verification(work, user, callback=callback)
        return True

    async def verify_email(self, token: str) -> None:
        """Mark the email verified; the token must be for the address the user still has."""
        async with self.units() as work:
            row = await one_time_tokens.spend(token, Purpose.VERIFY_EMAIL)
            user = await User.get(id=row.user_id)
            if user.email != row.payload.get("email") or user.deleted_at is not None:
                raise errors.InvalidToken()
            if user.email_verified_at is None:
                user.email_verified_at = datetime.now(UTC)
                await user.save(update_fields=["email_verified_at", "updated_at"])
                work.audit(
                    "user.email_verified",
                    target=("user", user.id),
                    actor_id=user.id,
                    changed_fields=["email_verified"],
                )
            refresh_user(work, user.id)

    async def request_reset(self, email: str, *, callback: Callback) -> None:
        """Forgot-password: staged only, answered alike for every address (app/auth/forgot_password.py)."""
        await forgot_password.request_reset(email, callback=callback, units=self.units)

    async def reset_password(self, token: str, new_password: str) -> None:
        """Set the new password, end every session of the user (SPEC §1) and lift every
        sign-in lock of the account: whoever reads the mailbox is the owner, and an attacker
        who keeps the account locked must not keep them out."""
        password_hash = await self.passwords.hash(new_password)  # before the transaction: slow CPU work
        async with self.units() as work:
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
            await session_effects.revoke_all(work, self.sessions, user.id)
            # anonymous request: whoever held the emailed link acted as the user
            work.audit(
                "user.password_reset", target=("user", user.id), actor_id=user.id, changed_fields=["password"]
            )
