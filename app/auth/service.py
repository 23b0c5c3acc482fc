"""The rules of signing up, in and out. No Sanic here: routes, tests and workers call it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from tortoise.exceptions import IntegrityError

from app.auth import lockout, session_effects
from app.auth.email.service import stage_verification
from app.auth.mfa import service as mfa
from app.auth.passwords import PasswordHashing
from app.auth.schemas import (
    MfaRequired,
    Refresh,
    SessionInfo,
    SessionPublic,
    SignedIn,
    SignIn,
    SignUp,
    TokenPair,
)
from app.auth.sessions import SessionStore, device_of
from app.core import errors
from app.core.callbacks import Callback
from app.core.pagination import Page, PageQuery, Paginator
from app.core.principal import Principal
from app.core.settings import Settings
from app.core.unit_of_work import UnitsOfWork
from app.emails.render import moment
from app.outbox.staging import stage_email
from app.users.schemas import UserPublic
from models import AuthSession, User


@dataclass(frozen=True, slots=True)
class SignInResult:
    body: SignedIn | MfaRequired
    # the token to set as the session cookie; None for bearer sessions, and while a
    # second factor is still due
    cookie_token: str | None


async def sign_up(
    data: SignUp, *, settings: Settings, passwords: PasswordHashing, callback: Callback, units: UnitsOfWork
) -> UserPublic:
    """Create an account and email a verification link; 409 when the email or nickname is taken."""
    hide_account_existence = settings.security.hide_account_existence
    taken = await User.filter(email=data.email).exists() or await User.filter(nickname=data.nickname).exists()
    if taken:
        raise _taken(data, hide_account_existence=hide_account_existence)
    password_hash = await passwords.hash(data.password)
    try:
        async with units() as work:
            user = await User.create(
                name=data.name, nickname=data.nickname, email=data.email, password_hash=password_hash
            )
            await stage_verification(work, user, callback=callback, settings=settings)
    except IntegrityError:
        # lost a race with a concurrent sign-up for the same email or nickname
        raise _taken(data, hide_account_existence=hide_account_existence) from None
    return UserPublic.of(user)


def _taken(data: SignUp, *, hide_account_existence: bool) -> errors.Conflict:
    if hide_account_existence:
        return errors.Conflict("An account with this email or nickname already exists")
    return errors.Conflict("This email or nickname is already taken")


async def sign_in(
    data: SignIn,
    *,
    settings: Settings,
    passwords: PasswordHashing,
    sessions: SessionStore,
    units: UnitsOfWork,
    ip_address: str,
    user_agent: str,
) -> SignInResult:
    """Check the password (same time whether or not the account exists) and open a session.

    429 while the email is locked out for this client IP or account-wide (known or not,
    alike); every failure counts towards both (app/auth/lockout.py).
    """
    await lockout.check(data.email, ip_address)
    user = await User.filter(email=data.email, deleted_at=None).first()
    matched = await passwords.verify(user.password_hash if user else None, data.password)
    if user is None or not matched or user.disabled:
        await lockout.record_failure(data.email, ip_address, settings.accounts, units=units)
        raise errors.Unauthenticated("Email or password is incorrect")
    await _upgrade_password_hash(user, data.password, passwords)
    if user.mfa_enabled:
        # the failure count is cleared only once the code is right too: otherwise each
        # sign-in with the password would wipe the wrong codes guessed so far
        mfa_token = await mfa.challenge(user, token=data.token, settings=settings)
        return SignInResult(body=MfaRequired(mfa_token=mfa_token), cookie_token=None)
    await lockout.clear(data.email, ip_address)
    return await open_session(
        user, token=data.token, sessions=sessions, units=units, ip_address=ip_address, user_agent=user_agent
    )


async def verify_second_factor(
    mfa_token: str,
    code: str,
    *,
    settings: Settings,
    sessions: SessionStore,
    units: UnitsOfWork,
    ip_address: str,
    user_agent: str,
) -> SignInResult:
    """The session a sign-in was waiting for, once the TOTP or recovery code is right."""
    user, token = await mfa.pass_challenge(
        mfa_token, code, client_ip=ip_address, settings=settings, units=units
    )
    return await open_session(
        user, token=token, sessions=sessions, units=units, ip_address=ip_address, user_agent=user_agent
    )


async def _upgrade_password_hash(user: User, password: str, passwords: PasswordHashing) -> None:
    """Re-hash with the configured cost when the stored hash was made with a lower one."""
    if not passwords.needs_rehash(user.password_hash):
        return
    new_hash = await passwords.hash(password)
    # only if the password did not change meanwhile
    await User.filter(id=user.id, password_hash=user.password_hash).update(password_hash=new_hash)
    user.password_hash = new_hash


async def open_session(
    user: User,
    *,
    token: bool,
    sessions: SessionStore,
    units: UnitsOfWork,
    ip_address: str,
    user_agent: str,
) -> SignInResult:
    """A session for a user who has proven who they are (password, and MFA when on).

    Emails a security notice when the (IP address, User-Agent) pair is new to the account,
    except on the first sign-in ever (nothing to compare with).
    """
    ip_address, user_agent = device_of(ip_address, user_agent)
    async with units() as work:
        earlier = AuthSession.filter(user_id=user.id)
        new_device = (
            await earlier.exists()
            and not await earlier.filter(ip_address=ip_address, user_agent=user_agent).exists()
        )
        session, access, refresh = await sessions.create(
            user, kind="bearer" if token else "cookie", ip_address=ip_address, user_agent=user_agent
        )
        if new_device:
            await stage_email(
                work,
                "new_sign_in",
                to=user.email,
                context={
                    "name": user.name,
                    "when": moment(session.created_at),
                    "ip_address": ip_address or "unknown",
                    "user_agent": user_agent or "unknown",
                },
            )
    body = SignedIn(user=UserPublic.of(user), session=SessionPublic.model_validate(session))
    if token:
        body.access_token = access
        body.refresh_token = refresh
        body.expires_in = sessions.settings.access_token_seconds
    return SignInResult(body=body, cookie_token=None if token else access)


async def sign_out(principal: Principal, *, sessions: SessionStore, units: UnitsOfWork) -> None:
    async with units() as work:
        await session_effects.revoke_session(work, sessions, principal.session_id)


async def refresh(data: Refresh, *, sessions: SessionStore) -> TokenPair:
    """A new access + refresh pair for the same bearer session (rotation, reuse detection)."""
    result = await sessions.refresh(data.refresh_token)
    if result is None:
        raise errors.Unauthenticated(f"This refresh token is {errors.UNUSABLE_TOKEN}")
    _, access, refresh_token = result
    return TokenPair(
        access_token=access,
        refresh_token=refresh_token,
        expires_in=sessions.settings.access_token_seconds,
    )


async def list_sessions(
    principal: Principal, *, page: PageQuery, sessions: SessionStore, paginator: Paginator
) -> Page[SessionInfo]:
    """My live sessions, newest first, the current one marked."""

    def info(session: AuthSession) -> SessionInfo:
        return SessionInfo(
            id=session.id,
            created_at=session.created_at,
            last_seen_at=session.last_seen_at,
            ip_address=session.ip_address,
            user_agent=session.user_agent,
            kind=session.kind,
            current=session.id == principal.session_id,
        )

    return await paginator.paginate(
        sessions.live(principal.user_id), page, scope=f"sessions:{principal.user_id}", to_item=info
    )


async def revoke_session(
    principal: Principal, session_id: UUID, *, sessions: SessionStore, units: UnitsOfWork
) -> bool:
    """Revoke one of my live sessions (404 for anyone else's); True when it was this one."""
    async with units() as work:
        session = await sessions.live(principal.user_id).filter(id=session_id).first()
        if session is None:
            raise errors.NotFound("No such session")
        await session_effects.revoke_session(work, sessions, session.id)
    return session.id == principal.session_id


async def revoke_other_sessions(principal: Principal, *, sessions: SessionStore, units: UnitsOfWork) -> int:
    """Every session of mine but this one stops working, in every process."""
    async with units() as work:
        return await session_effects.revoke_all(
            work, sessions, principal.user_id, except_session_id=principal.session_id
        )
