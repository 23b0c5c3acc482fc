"""Profile changes confirmed by email (SPEC §3): nothing changes until the link is used.

Each request verifies what it can now (nickname or email free, current password right),
issues a token whose payload holds the pending change, and stages the confirmation email
in the same transaction. A newer request of the same type supersedes the pending one.
Confirming re-checks what may have changed meanwhile; a refused confirmation rolls back
with its transaction, so the token stays usable.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app.auth import lockout, one_time_tokens
from app.auth.one_time_tokens import Purpose
from app.auth.passwords import PasswordHashing
from app.auth.reauthentication import confirm_password
from app.auth.sessions import SessionStore
from app.core import errors
from app.core.callbacks import Callback, check_callback_url
from app.core.settings import Settings
from app.emails.render import moment
from app.outbox.staging import stage_email, wake_relay
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
    user_id: UUID, data: ProfileChange, *, callback: Callback, settings: Settings
) -> None:
    async with in_transaction():
        user = await _locked_user(user_id)
        await _nickname_free(data.nickname, user_id)
        await _send_confirmation(
            user,
            Purpose.CONFIRM_PROFILE,
            "confirm_profile_change",
            to=user.email,
            callback=callback,
            settings=settings,
            payload={"name": data.name, "nickname": data.nickname},
            context={"new_name": data.name, "new_nickname": data.nickname},
        )
    wake_relay()


async def request_email_change(
    user_id: UUID, data: EmailChange, *, callback: Callback, settings: Settings
) -> None:
    """The first confirmation goes to the current address: whoever holds only the session
    cannot move the account to an address of theirs. A newer request voids the older
    one at both steps: its link to the old address and, if that was used, its link to
    the new address (issue() alone supersedes only the same step)."""
    async with in_transaction():
        user = await _locked_user(user_id)
        if data.new_email == user.email:
            raise errors.BusinessRuleViolated("This is already the account's email address")
        await _email_free(data.new_email, settings)
        await one_time_tokens.supersede_pending(user.id, EMAIL_CHANGE_STEPS)
        await _send_confirmation(
            user,
            Purpose.CONFIRM_EMAIL_OLD,
            "confirm_email_change_old",
            to=user.email,
            callback=callback,
            settings=settings,
            # the checked, rebuilt URL: the second step's link is built from it again
            payload={"new_email": data.new_email, "callback_url": callback.url},
            context={"new_email": data.new_email},
        )
    wake_relay()


async def request_password_change(
    user_id: UUID,
    data: PasswordChange,
    *,
    callback: Callback,
    settings: Settings,
    passwords: PasswordHashing,
    client_ip: str,
) -> None:
    """The current password is checked now (a wrong one counts towards the sign-in
    lockout); the new one waits, hashed, in the token."""
    user = await User.get(id=user_id)
    await confirm_password(
        user, data.current_password, settings.accounts, passwords=passwords, client_ip=client_ip
    )
    pending_hash = await passwords.hash(data.new_password)
    async with in_transaction():
        await _locked_user(user_id)
        await _send_confirmation(
            user,
            Purpose.CONFIRM_PASSWORD,
            "confirm_password_change",
            to=user.email,
            callback=callback,
            settings=settings,
            payload={"password_hash": pending_hash},
            context={},
        )
    wake_relay()


async def confirm_change(token: str, *, settings: Settings, sessions: SessionStore) -> ChangeConfirmed:
    try:
        async with in_transaction():
            # lock the user before spending: a request that supersedes this token either
            # committed first (the spend then fails) or waits for this confirmation, and
            # then also sees and voids the next step's token it issues
            found = await one_time_tokens.find(token, CONFIRMABLE)
            user = await _locked_user(found.user_id)
            row = await one_time_tokens.spend(token, CONFIRMABLE)
            if user.deleted_at is not None or user.disabled:
                raise errors.InvalidToken("This token is invalid, already used or expired")
            confirmed = await _apply(Purpose(row.purpose), row.payload, user, settings)
    except IntegrityError:
        # a concurrent change took the nickname or email between the check and the update
        raise errors.Conflict("That nickname or email address was taken meanwhile") from None
    wake_relay()
    if confirmed.requires_login:
        await sessions.revoke_all(user.id)
    else:
        await sessions.refresh_user(user.id)
    return confirmed


async def _locked_user(user_id: UUID) -> User:
    """The user's row, locked until the transaction ends (PostgreSQL; SQLite serialises
    every write transaction anyway). Requests and confirmations of one user's changes
    run one after another, so a newer request always sees, and voids, what an older
    one issued (issue 9 item 1.2)."""
    return await User.select_for_update().get(id=user_id)


async def _apply(
    purpose: Purpose, payload: dict[str, Any], user: User, settings: Settings
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
        await _send_confirmation(
            user,
            Purpose.CONFIRM_EMAIL_NEW,
            "confirm_email_change_new",
            to=new_email,
            # parsed by the same rule again (a row from before the rule holds the raw URL)
            callback=check_callback_url(payload["callback_url"], settings.callback_origins),
            settings=settings,
            payload={"new_email": new_email},
            context={},
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
        "password_changed",
        to=user.email,
        context={
            "name": user.name,
            "when": moment(datetime.now(UTC)),
        },
    )
    return ChangeConfirmed(type="password", step="completed", requires_login=True, user=None)


async def _send_confirmation(
    user: User,
    purpose: Purpose,
    template: str,
    *,
    to: str,
    callback: Callback,
    settings: Settings,
    payload: dict[str, Any],
    context: dict[str, Any],
) -> None:
    ttl = settings.accounts.email_token_seconds
    token = await one_time_tokens.issue(user.id, purpose, ttl_seconds=ttl, payload=payload)
    await stage_email(
        template,
        to=to,
        context={
            "name": user.name,
            "link": one_time_tokens.link(callback, token),
            "expires_minutes": ttl // 60,
            **context,
        },
    )


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
