"""Profile changes confirmed by email (SPEC §3): nothing changes until the link is used.

Each request verifies what it can now (nickname or email free, current password right),
issues a token whose payload holds the pending change, and stages the confirmation email
in the same unit of work. A newer request of the same type supersedes the pending one.
Confirming re-checks what may have changed meanwhile; a refused confirmation rolls back
with its transaction, so the token stays usable.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError

from app.auth import lockout, one_time_tokens, session_effects
from app.auth.one_time_tokens import Purpose
from app.auth.passwords import PasswordHashing
from app.auth.reauthentication import confirm_password
from app.auth.sessions import SessionStore
from app.core import errors
from app.core.callbacks import Callback, check_callback_url
from app.core.session_effects import refresh_user
from app.core.settings import AccountSettings
from app.core.unit_of_work import UnitOfWork, UnitsOfWork
from app.emails.render import moment
from app.outbox.staging import stage_email
from app.profile.schemas import ChangeConfirmed, EmailChange, PasswordChange, ProfileChange
from app.users.schemas import UserPublic
from models import User

CONFIRMABLE = {
    Purpose.CONFIRM_PROFILE,
    Purpose.CONFIRM_EMAIL_OLD,
    Purpose.CONFIRM_EMAIL_NEW,
    Purpose.CONFIRM_PASSWORD,
}
EMAIL_CHANGE_STEPS = {Purpose.CONFIRM_EMAIL_OLD, Purpose.CONFIRM_EMAIL_NEW}
# what a completed change of each type sets, for its audit entry (names, never values)
CHANGED_FIELDS = {
    "profile": ["name", "nickname"],
    "email": ["email", "email_verified"],
    "password": ["password"],
}


class ProfileService:
    """Built at start-up (app.capabilities) with what it uses: the accounts settings,
    whether to hide which addresses have accounts, where emailed links may lead,
    password hashing, the session store and the units of work."""

    def __init__(
        self,
        *,
        accounts: AccountSettings,
        hide_account_existence: bool,
        callback_origins: tuple[str, ...],
        passwords: PasswordHashing,
        sessions: SessionStore,
        units: UnitsOfWork,
    ) -> None:
        self.accounts = accounts
        self.hide_account_existence = hide_account_existence
        self.callback_origins = callback_origins
        self.passwords = passwords
        self.sessions = sessions
        self.units = units

    def check_callback(self, url: str) -> Callback:
        """`url` as a checked callback on a trusted origin; else 400 (app.core.callbacks)."""
        return check_callback_url(url, self.callback_origins)

    async def request_profile_change(self, user_id: UUID, data: ProfileChange, *, callback: Callback) -> None:
        async with self.units() as work:
            user = await _locked_user(user_id)
            await _nickname_free(data.nickname, user_id)
            await one_time_tokens.email_token(
                work,
                user,
                Purpose.CONFIRM_PROFILE,
                "confirm_profile_change",
                callback=callback,
                ttl_seconds=self.accounts.email_token_seconds,
                payload={"name": data.name, "nickname": data.nickname},
                context={"new_name": data.name, "new_nickname": data.nickname},
            )

    async def request_email_change(self, user_id: UUID, data: EmailChange, *, callback: Callback) -> None:
        """The first confirmation goes to the current address: whoever holds only the session
        cannot move the account to an address of theirs. A newer request voids the older
        one at both steps: its link to the old address and, if that was used, its link to
        the new address (issue() alone supersedes only the same step)."""
        async with self.units() as work:
            user = await _locked_user(user_id)
            if data.new_email == user.email:
                raise errors.BusinessRuleViolated("This is already the account's email address")
            await self._email_free(data.new_email)
            await one_time_tokens.supersede_pending(user.id, EMAIL_CHANGE_STEPS)
            await one_time_tokens.email_token(
                work,
                user,
                Purpose.CONFIRM_EMAIL_OLD,
                "confirm_email_change_old",
                callback=callback,
                ttl_seconds=self.accounts.email_token_seconds,
                # the checked, rebuilt URL: the second step's link is built from it again
                payload={"new_email": data.new_email, "callback_url": callback.url},
                context={"new_email": data.new_email},
            )

    async def request_password_change(
        self, user_id: UUID, data: PasswordChange, *, callback: Callback, client_ip: str
    ) -> None:
        """The current password is checked now (a wrong one counts towards the sign-in
        lockout); the new one waits, hashed, in the token."""
        user = await User.get(id=user_id)
        await confirm_password(
            user,
            data.current_password,
            self.accounts,
            passwords=self.passwords,
            client_ip=client_ip,
            units=self.units,
        )
        pending_hash = await self.passwords.hash(data.new_password)
        async with self.units() as work:
            await _locked_user(user_id)
            await one_time_tokens.email_token(
                work,
                user,
                Purpose.CONFIRM_PASSWORD,
                "confirm_password_change",
                callback=callback,
                ttl_seconds=self.accounts.email_token_seconds,
                payload={"password_hash": pending_hash},
            )

    async def confirm_change(self, token: str) -> ChangeConfirmed:
        try:
            async with self.units() as work:
                # lock the user before spending: a request that supersedes this token either
                # committed first (the spend then fails) or waits for this confirmation, and
                # then also sees and voids the next step's token it issues
                found = await one_time_tokens.find(token, CONFIRMABLE)
                user = await _locked_user(found.user_id)
                row = await one_time_tokens.spend(token, CONFIRMABLE)
                if user.deleted_at is not None or user.disabled:
                    raise errors.InvalidToken()
                confirmed = await self._apply(work, Purpose(row.purpose), row.payload, user)
                if confirmed.step == "completed":
                    # anonymous request: whoever held the emailed link acted as the user
                    work.audit(
                        f"user.{confirmed.type}_changed",
                        target=("user", user.id),
                        actor_id=user.id,
                        changed_fields=CHANGED_FIELDS[confirmed.type],
                    )
                if confirmed.requires_login:
                    await session_effects.revoke_all(work, self.sessions, user.id)
                else:
                    refresh_user(work, user.id)
        except IntegrityError:
            # a concurrent change took the nickname or email between the check and the update
            raise errors.Conflict("That nickname or email address was taken meanwhile") from None
        return confirmed

    async def _apply(
        self, work: UnitOfWork, purpose: Purpose, payload: dict[str, Any], user: User
    ) -> ChangeConfirmed:
        if purpose is Purpose.CONFIRM_PROFILE:
            await _nickname_free(payload["nickname"], user.id)
            user.name, user.nickname = payload["name"], payload["nickname"]
            await user.save(update_fields=["name", "nickname", "updated_at"])
            return ChangeConfirmed(
                type="profile", step="completed", requires_login=False, user=UserPublic.of(user)
            )
        if purpose is Purpose.CONFIRM_EMAIL_OLD:
            new_email = payload["new_email"]
            await self._email_free(new_email)
            await one_time_tokens.email_token(
                work,
                user,
                Purpose.CONFIRM_EMAIL_NEW,
                "confirm_email_change_new",
                to=new_email,
                # parsed by the same rule again (a row from before the rule holds the raw URL)
                callback=self.check_callback(payload["callback_url"]),
                ttl_seconds=self.accounts.email_token_seconds,
                payload={"new_email": new_email},
            )
            return ChangeConfirmed(
                type="email",
                step="new-email-verification-sent",
                requires_login=False,
                user=UserPublic.of(user),
            )
        if purpose is Purpose.CONFIRM_EMAIL_NEW:
            await self._email_free(payload["new_email"])
            old_email, user.email = user.email, payload["new_email"]
            # the link reached the new address: that is what verification proves
            user.email_verified_at = datetime.now(UTC)
            await user.save(update_fields=["email", "email_verified_at", "updated_at"])
            # links already in the old mailbox (a password reset above all) must stop working
            await one_time_tokens.supersede_pending(user.id)
            await stage_email(
                work,
                "email_changed",
                to=old_email,
                context={
                    "name": user.name,
                    "new_email": user.email,
                    "when": moment(datetime.now(UTC)),
                },
            )
            return ChangeConfirmed(
                type="email", step="completed", requires_login=False, user=UserPublic.of(user)
            )
        user.password_hash = payload["password_hash"]
        await user.save(update_fields=["password_hash", "updated_at"])
        await one_time_tokens.supersede_pending(user.id, {Purpose.RESET_PASSWORD})
        await lockout.lift(user.email)  # the owner proved the password and the mailbox
        await stage_email(
            work,
            "password_changed",
            to=user.email,
            context={
                "name": user.name,
                "when": moment(datetime.now(UTC)),
            },
        )
        return ChangeConfirmed(type="password", step="completed", requires_login=True, user=None)

    async def _email_free(self, email: str) -> None:
        if await User.filter(email=email).exists():
            detail = (
                "This email address cannot be used"
                if self.hide_account_existence
                else "This email address is already taken"
            )
            raise errors.Conflict(detail)


async def _locked_user(user_id: UUID) -> User:
    """The user's row, locked until the transaction ends (PostgreSQL; SQLite serialises
    every write transaction anyway). Requests and confirmations of one user's changes
    run one after another, so a newer request always sees, and voids, what an older
    one issued (issue 9 item 1.2)."""
    return await User.select_for_update().get(id=user_id)


async def _nickname_free(nickname: str, user_id: UUID) -> None:
    if await User.filter(nickname=nickname).exclude(id=user_id).exists():
        raise errors.Conflict("This nickname is already taken")
