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
from app.core.settings import Settings
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


async def request_profile_change(
    user_id: UUID, data: ProfileChange, *, callback: Callback, settings: Settings, units: UnitsOfWork
) -> None:
    async with units() as work:
        user = await _locked_user(user_id)
        await _nickname_free(data.nickname, user_id)
        await one_time_tokens.email_token(
            work,
            user,
            Purpose.CONFIRM_PROFILE,
            "confirm_profile_change",
            callback=callback,
            ttl_seconds=settings.accounts.email_token_seconds,
            payload={"name": data.name, "nickname": data.nickname},
            context={"new_name": data.name, "new_nickname": data.nickname},
        )


async def request_email_change(
    user_id: UUID, data: EmailChange, *, callback: Callback, settings: Settings, units: UnitsOfWork
) -> None:
    """The first confirmation goes to the current address: whoever holds only the session
    cannot move the account to an address of theirs. A newer request voids the older
    one at both steps: its link to the old address and, if that was used, its link to
    the new address (issue() alone supersedes only the same step)."""
    async with units() as work:
        user = await _locked_user(user_id)
        if data.new_email == user.email:
            raise errors.BusinessRuleViolated("This is already the account's email address")
        await _email_free(data.new_email, settings)
        await one_time_tokens.supersede_pending(user.id, EMAIL_CHANGE_STEPS)
        await one_time_tokens.email_token(
            work,
            user,
            Purpose.CONFIRM_EMAIL_OLD,
            "confirm_email_change_old",
            callback=callback,
            ttl_seconds=settings.accounts.email_token_seconds,
            # the checked, rebuilt URL: the second step's link is built from it again
            payload={"new_email": data.new_email, "callback_url": callback.url},
            context={"new_email": data.new_email},
        )


async def request_password_change(
    user_id: UUID,
    data: PasswordChange,
    *,
    callback: Callback,
    settings: Settings,
    passwords: PasswordHashing,
    units: UnitsOfWork,
    client_ip: str,
) -> None:
    """The current password is checked now (a wrong one counts towards the sign-in
    lockout); the new one waits, hashed, in the token."""
    user = await User.get(id=user_id)
    await confirm_password(
        user, data.current_password, settings.accounts, passwords=passwords, client_ip=client_ip, units=units
    )
    pending_hash = await passwords.hash(data.new_password)
    async with units() as work:
        await _locked_user(user_id)
        await one_time_tokens.email_token(
            work,
            user,
            Purpose.CONFIRM_PASSWORD,
            "confirm_password_change",
            callback=callback,
            ttl_seconds=settings.accounts.email_token_seconds,
            payload={"password_hash": pending_hash},
        )


async def confirm_change(
    token: str, *, settings: Settings, sessions: SessionStore, units: UnitsOfWork
) -> ChangeConfirmed:
    try:
        async with units() as work:
            # lock the user before spending: a request that supersedes this token either
            # committed first (the spend then fails) or waits for this confirmation, and
            # then also sees and voids the next step's token it issues
            found = await one_time_tokens.find(token, CONFIRMABLE)
            user = await _locked_user(found.user_id)
            row = await one_time_tokens.spend(token, CONFIRMABLE)
            if user.deleted_at is not None or user.disabled:
                raise errors.InvalidToken()
            confirmed = await _apply(work, Purpose(row.purpose), row.payload, user, settings)
            if confirmed.requires_login:
                await session_effects.revoke_all(work, sessions, user.id)
            else:
                session_effects.refresh_user(work, user.id)
    except IntegrityError:
        # a concurrent change took the nickname or email between the check and the update
        raise errors.Conflict("That nickname or email address was taken meanwhile") from None
    return confirmed


async def _locked_user(user_id: UUID) -> User:
    """The user's row, locked until the transaction ends (PostgreSQL; SQLite serialises
    every write transaction anyway). Requests and confirmations of one user's changes
    run one after another, so a newer request always sees, and voids, what an older
    one issued (issue 9 item 1.2)."""
    return await User.select_for_update().get(id=user_id)


async def _apply(
    work: UnitOfWork, purpose: Purpose, payload: dict[str, Any], user: User, settings: Settings
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
        await _email_free(new_email, settings)
        await one_time_tokens.email_token(
            work,
            user,
            Purpose.CONFIRM_EMAIL_NEW,
            "confirm_email_change_new",
            to=new_email,
            # parsed by the same rule again (a row from before the rule holds the raw URL)
            callback=check_callback_url(payload["callback_url"], settings.callback_origins),
            ttl_seconds=settings.accounts.email_token_seconds,
            payload={"new_email": new_email},
        )
        return ChangeConfirmed(
            type="email", step="new-email-verification-sent", requires_login=False, user=UserPublic.of(user)
        )
    if purpose is Purpose.CONFIRM_EMAIL_NEW:
        await _email_free(payload["new_email"], settings)
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
        return ChangeConfirmed(type="email", step="completed", requires_login=False, user=UserPublic.of(user))
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


async def _nickname_free(nickname: str, user_id: UUID) -> None:
    if await User.filter(nickname=nickname).exclude(id=user_id).exists():
        raise errors.Conflict("This nickname is already taken")


async def _email_free(email: str, settings: Settings) -> None:
    if await User.filter(email=email).exists():
        detail = (
            "This email address cannot be used"
            if settings.security.hide_account_existence
            else "This email address is already taken"
        )
        raise errors.Conflict(detail)
