"""TOTP second factor (SPEC §2): enroll, activate, verify at sign-in, disable.

- Enrolling writes a pending secret and ten recovery codes; nothing changes for sign-in
  until a code from the authenticator app activates the secret. Enrolling again before
  that replaces both.
- A TOTP code is accepted one step either side of now (clock drift) and never twice:
  the accepted time step is recorded with a conditional update, so a code seen by
  someone else is already spent.
- A recovery code works once (conditional update on `used_at`); only SHA-256 of the
  normalised code is stored.
- Enrolling and activating need the current password (re-authentication) and a
  verified email: a stolen session alone must not put the owner behind a second factor
  they do not hold, nor bind one to an address nobody has proven.
- At sign-in the password yields a short-lived challenge token (`mfa_challenge`);
  it allows five codes, and every wrong code counts towards the sign-in lockout, as do
  wrong codes and passwords at disable.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pyotp
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from app.auth import lockout, one_time_tokens, session_effects
from app.auth.one_time_tokens import Purpose
from app.auth.passwords import PasswordHashing
from app.auth.reauthentication import confirm_password, wrong_code
from app.auth.sessions import SessionStore
from app.auth.tokens import hash_token
from app.core import errors
from app.core.session_effects import refresh_user
from app.core.settings import AccountSettings
from app.core.unit_of_work import UnitOfWork, UnitsOfWork
from app.emails.render import moment
from app.outbox.staging import stage_email
from models import OneTimeToken, RecoveryCode, User

RECOVERY_CODE_COUNT = 10
# 10 characters of a 32-letter alphabet: 50 bits, shown as two groups of five
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
# codes tried against one challenge; then a new sign-in is needed
MAX_CODE_ATTEMPTS = 5
# steps either side of now that still count (30 s each): phone clocks drift
DRIFT_STEPS = 1
TOTP_PATTERN = re.compile(r"^\d{6}$")


@dataclass(frozen=True, slots=True)
class Enrollment:
    secret: str
    otpauth_uri: str
    recovery_codes: list[str]


class MfaService:
    """Built at start-up (app.capabilities) with what it uses: the accounts settings,
    password hashing, the session store, the units of work, and the clock TOTP codes are
    read against (seconds since the epoch)."""

    def __init__(
        self,
        *,
        accounts: AccountSettings,
        passwords: PasswordHashing,
        sessions: SessionStore,
        units: UnitsOfWork,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.accounts = accounts
        self.passwords = passwords
        self.sessions = sessions
        self.units = units
        self.clock = clock

    async def enroll(self, user_id: UUID, *, password: str, client_ip: str) -> Enrollment:
        """A new pending secret and recovery codes; 409 while MFA is on, 422 without a verified
        email or with a wrong password."""
        user = await User.get(id=user_id)
        _may_turn_on(user)
        await self._confirm_password(user, password, client_ip)
        secret = pyotp.random_base32()
        codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
        async with in_transaction():
            user = await User.get(id=user_id)
            _may_turn_on(user)
            user.mfa_pending_secret = secret
            await user.save(update_fields=["mfa_pending_secret", "updated_at"])
            await RecoveryCode.filter(user_id=user_id).delete()
            await RecoveryCode.bulk_create(
                [RecoveryCode(user_id=user_id, code_hash=_code_hash(code)) for code in codes]
            )
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=self.accounts.mfa_issuer)
        return Enrollment(secret=secret, otpauth_uri=uri, recovery_codes=codes)

    async def activate(
        self, user_id: UUID, *, code: str, password: str, client_ip: str, keep_session_id: UUID
    ) -> None:
        """Switch MFA on with a code from the app for the pending secret, and the password.
        Every session but `keep_session_id` (the one asking) ends: one opened with a stolen
        password must not outlive the second factor.

        A wrong code here is not counted by the lockout: it checks the app just set up, not
        who the user is (the password does that, and is counted).
        """
        user = await User.get(id=user_id)
        _may_turn_on(user)
        if user.mfa_pending_secret is None:
            raise errors.BusinessRuleViolated("Enroll first: there is no pending secret to activate")
        await self._confirm_password(user, password, client_ip)
        step = self._matching_step(user.mfa_pending_secret, code)
        if step is None:
            raise errors.IncorrectCode("The code does not match; check the app's clock and try again")
        async with self.units() as work:
            activated = await User.filter(
                id=user_id, mfa_enabled=False, mfa_pending_secret=user.mfa_pending_secret
            ).update(
                mfa_secret=user.mfa_pending_secret,
                mfa_pending_secret=None,
                mfa_enabled=True,
                mfa_last_step=step,
                updated_at=datetime.now(UTC),
            )
            if not activated:
                raise errors.Conflict("Two-factor authentication changed meanwhile; enroll again")
            await _stage_notice(work, user, turned="on")
            work.audit("user.mfa_enabled", target=("user", user_id), actor_id=user_id, changed_fields=["mfa"])
            await session_effects.revoke_all(work, self.sessions, user_id, except_session_id=keep_session_id)
            refresh_user(work, user_id)

    async def disable(self, user_id: UUID, *, password: str, code: str, client_ip: str) -> None:
        """Switch MFA off; needs the password and a TOTP or recovery code (wrong ones count
        towards the lockout)."""
        user = await User.get(id=user_id)
        if not user.mfa_enabled:
            raise errors.BusinessRuleViolated("Two-factor authentication is not on")
        await self._confirm_password(user, password, client_ip)
        if not await self._accept_code(user, code):
            raise await wrong_code(user, self.accounts, client_ip=client_ip, units=self.units)
        async with self.units() as work:
            await User.filter(id=user_id).update(
                mfa_enabled=False,
                mfa_secret=None,
                mfa_pending_secret=None,
                mfa_last_step=None,
                updated_at=datetime.now(UTC),
            )
            await RecoveryCode.filter(user_id=user_id).delete()
            # whoever turned it off held the password and a code; the owner should hear of it
            await _stage_notice(work, user, turned="off")
            work.audit(
                "user.mfa_disabled", target=("user", user_id), actor_id=user_id, changed_fields=["mfa"]
            )
            refresh_user(work, user_id)

    async def challenge(self, user: User, *, token: bool) -> str:
        """The token that stands for a correct password until the second factor is given."""
        return await one_time_tokens.issue(
            user.id,
            Purpose.MFA_CHALLENGE,
            ttl_seconds=self.accounts.mfa_challenge_seconds,
            payload={"token": token},
        )

    async def pass_challenge(self, mfa_token: str, code: str, *, client_ip: str) -> tuple[User, bool]:
        """The user and their sign-in's `token` flag, once the code is right; spends the challenge."""
        row = await one_time_tokens.find(mfa_token, Purpose.MFA_CHALLENGE)
        user = await User.get(id=row.user_id)
        if not user.mfa_enabled or user.disabled or user.deleted_at is not None:
            raise errors.InvalidToken()
        await lockout.check(user.email, client_ip)
        # claim one of the challenge's attempts before looking at the code, so that parallel
        # guesses cannot all be judged before any of them is counted
        claimed = await OneTimeToken.filter(
            id=row.id, used_at=None, superseded_at=None, failed_attempts__lt=MAX_CODE_ATTEMPTS
        ).update(failed_attempts=F("failed_attempts") + 1)
        if not claimed:
            raise errors.InvalidToken()
        if not await self._accept_code(user, code):
            raise await wrong_code(user, self.accounts, client_ip=client_ip, units=self.units)
        await one_time_tokens.spend(mfa_token, Purpose.MFA_CHALLENGE)
        await lockout.clear(user.email, client_ip)
        payload: dict[str, Any] = row.payload
        return user, bool(payload.get("token"))

    async def _confirm_password(self, user: User, password: str, client_ip: str) -> None:
        await confirm_password(
            user, password, self.accounts, passwords=self.passwords, client_ip=client_ip, units=self.units
        )

    async def _accept_code(self, user: User, code: str) -> bool:
        """True once for a right TOTP code of the active secret, or an unused recovery code."""
        if user.mfa_secret is None:
            return False
        if TOTP_PATTERN.match(code):
            step = self._matching_step(user.mfa_secret, code)
            if step is None:
                return False
            # never the same step twice, nor an older one: a code is spent by its first use
            accepted = await User.filter(
                Q(mfa_last_step=None) | Q(mfa_last_step__lt=step), id=user.id
            ).update(mfa_last_step=step)
            return bool(accepted)
        spent = await RecoveryCode.filter(user_id=user.id, code_hash=_code_hash(code), used_at=None).update(
            used_at=datetime.now(UTC)
        )
        return bool(spent)

    def _matching_step(self, secret: str, code: str) -> int | None:
        """The time step whose code `code` is, within the allowed drift; None if none."""
        if not TOTP_PATTERN.match(code):
            return None
        totp = pyotp.TOTP(secret)
        now = int(self.clock()) // totp.interval
        for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
            if hmac.compare_digest(totp.generate_otp(step), code):
                return step
        return None


def _may_turn_on(user: User) -> None:
    if user.mfa_enabled:
        raise errors.Conflict("Two-factor authentication is already on; disable it first")
    if user.email_verified_at is None:
        raise errors.BusinessRuleViolated(
            "Verify your email address first: two-factor authentication needs a proven address"
        )


async def _stage_notice(work: UnitOfWork, user: User, *, turned: str) -> None:
    await stage_email(
        work,
        "two_factor_changed",
        to=user.email,
        context={
            "name": user.name,
            "turned": turned,
            "when": moment(datetime.now(UTC)),
        },
    )


def _new_recovery_code() -> str:
    letters = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
    return f"{letters[:5]}-{letters[5:]}"


def _code_hash(code: str) -> str:
    """Codes are compared without case, spaces or dashes, as people type them."""
    return hash_token(re.sub(r"[\s-]", "", code).lower())
