"""The rules of signing up, in and out. No Sanic here: routes, tests and workers call it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from tortoise.exceptions import IntegrityError

from app.auth import lockout, session_effects
from app.auth.email.service import VERIFY_PAGE, EmailFlows
from app.auth.mfa.service import MfaService
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
from app.core.settings import AccountSettings
from app.core.unit_of_work import UnitsOfWork
from app.emails.render import moment
from app.invites.acceptance import InviteAcceptance
from app.outbox.staging import stage_email
from app.users.schemas import UserPublic
from models import AuthSession, User


@dataclass(frozen=True, slots=True)
class SignInResult:
    body: SignedIn | MfaRequired
    # the token to set as the session cookie; None for bearer sessions, and while a
    # second factor is still due
    cookie_token: str | None


class AuthService:
    """Built at start-up (app.capabilities) with what it uses: the accounts settings,
    whether to hide which addresses have accounts, password hashing, the session store,
    the paginator, the units of work, the emailed flows (verification), the second factor
    and invites (sign-up with an invite)."""

    def __init__(
        self,
        *,
        accounts: AccountSettings,
        hide_account_existence: bool,
        passwords: PasswordHashing,
        sessions: SessionStore,
        paginator: Paginator,
        units: UnitsOfWork,
        email: EmailFlows,
        mfa: MfaService,
        invites: InviteAcceptance,
    ) -> None:
        self.accounts = accounts
        self.hide_account_existence = hide_account_existence
        self.passwords = passwords
        self.sessions = sessions
        self.paginator = paginator
        self.units = units
        self.email = email
        self.mfa = mfa
        self.invites = invites

    def verification_callback(self, callback_url: str | None) -> Callback:
        """Where the verification link leads: the client's callback_url (400 unless on a
        trusted origin), else the web app's verification page."""
        return self.email.callback_or_default(callback_url, VERIFY_PAGE)

    async def sign_up(self, data: SignUp, *, callback: Callback) -> UserPublic:
        """Create an account and email a verification link; 409 when the email or nickname is taken.

        With an `invite_token`, in the same transaction: the invite (pending, unexpired, sent
        to this email; 422/403 otherwise, and nothing is created) proves the address, so the
        account starts verified, joins the invite's organization and gets no verification email.
        """
        taken = (
            await User.filter(email=data.email).exists() or await User.filter(nickname=data.nickname).exists()
        )
        if taken:
            raise self._taken()
        password_hash = await self.passwords.hash(data.password)
        try:
            async with self.units() as work:
                invite = None
                if data.invite_token is not None:
                    invite = await self.invites.pending_for_sign_up(data.invite_token, email=data.email)
                user = await User.create(
                    name=data.name,
                    nickname=data.nickname,
                    email=data.email,
                    password_hash=password_hash,
                    email_verified_at=None if invite is None else datetime.now(UTC),
                )
                if invite is None:
                    await self.email.stage_verification(work, user, callback=callback)
                else:
                    await self.invites.join(work, invite, user)
        except IntegrityError:
            # lost a race with a concurrent sign-up for the same email or nickname
            raise self._taken() from None
        return UserPublic.of(user)

    def _taken(self) -> errors.Conflict:
        if self.hide_account_existence:
            return errors.Conflict("An account with this email or nickname already exists")
        return errors.Conflict("This email or nickname is already taken")

    async def sign_in(self, data: SignIn, *, ip_address: str, user_agent: str) -> SignInResult:
        """Check the password (same time whether or not the account exists) and open a session.

        429 while the email is locked out for this client IP or account-wide (known or not,
        alike); every failure counts towards both (app/auth/lockout.py).
        """
        await lockout.check(data.email, ip_address)
        user = await User.filter(email=data.email, deleted_at=None).first()
        matched = await self.passwords.verify(user.password_hash if user else None, data.password)
        if user is None or not matched or user.disabled:
            await lockout.record_failure(data.email, ip_address, self.accounts, units=self.units)
            raise errors.Unauthenticated("Email or password is incorrect")
        await self._upgrade_password_hash(user, data.password)
        if user.mfa_enabled:
            # the failure count is cleared only once the code is right too: otherwise each
            # sign-in with the password would wipe the wrong codes guessed so far
            mfa_token = await self.mfa.challenge(user, token=data.token)
            return SignInResult(body=MfaRequired(mfa_token=mfa_token), cookie_token=None)
        await lockout.clear(data.email, ip_address)
        return await self.open_session(user, token=data.token, ip_address=ip_address, user_agent=user_agent)

    async def verify_second_factor(
        self, mfa_token: str, code: str, *, ip_address: str, user_agent: str
    ) -> SignInResult:
        """The session a sign-in was waiting for, once the TOTP or recovery code is right."""
        user, token = await self.mfa.pass_challenge(mfa_token, code, client_ip=ip_address)
        return await self.open_session(user, token=token, ip_address=ip_address, user_agent=user_agent)

    async def _upgrade_password_hash(self, user: User, password: str) -> None:
        """Re-hash with the configured cost when the stored hash was made with a lower one."""
        if not self.passwords.needs_rehash(user.password_hash):
            return
        new_hash = await self.passwords.hash(password)
        # only if the password did not change meanwhile
        await User.filter(id=user.id, password_hash=user.password_hash).update(password_hash=new_hash)
        user.password_hash = new_hash

    async def open_session(
        self, user: User, *, token: bool, ip_address: str, user_agent: str
    ) -> SignInResult:
        """A session for a user who has proven who they are (password, and MFA when on).

        Emails a security notice when the (IP address, User-Agent) pair is new to the account,
        except on the first sign-in ever (nothing to compare with).
        """
        ip_address, user_agent = device_of(ip_address, user_agent)
        async with self.units() as work:
            earlier = AuthSession.filter(user_id=user.id)
            new_device = (
                await earlier.exists()
                and not await earlier.filter(ip_address=ip_address, user_agent=user_agent).exists()
            )
            session, access, refresh = await self.sessions.create(
                user, kind="bearer" if token else "cookie", ip_address=ip_address, user_agent=user_agent
            )
            # the request is anonymous until now: the user who proved themselves acted
            work.audit("session.created", target=("session", session.id), actor_id=user.id)
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
            body.expires_in = self.sessions.settings.access_token_seconds
        return SignInResult(body=body, cookie_token=None if token else access)

    async def sign_out(self, principal: Principal) -> None:
        async with self.units() as work:
            await session_effects.revoke_session(work, self.sessions, principal.session_id)
            work.audit(
                "session.revoked", target=("session", principal.session_id), actor_id=principal.user_id
            )

    async def refresh(self, data: Refresh) -> TokenPair:
        """A new access + refresh pair for the same bearer session (rotation, reuse detection)."""
        result = await self.sessions.refresh(data.refresh_token)
        if result is None:
            raise errors.Unauthenticated(f"This refresh token is {errors.UNUSABLE_TOKEN}")
        _, access, refresh_token = result
        return TokenPair(
            access_token=access,
            refresh_token=refresh_token,
            expires_in=self.sessions.settings.access_token_seconds,
        )

    async def rotate_session(self, principal: Principal) -> str:
        """A new token for the caller's session; the one it came with stops working."""
        return await self.sessions.rotate(principal)

    async def list_sessions(self, principal: Principal, *, page: PageQuery) -> Page[SessionInfo]:
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

        return await self.paginator.paginate(
            self.sessions.live(principal.user_id), page, scope=f"sessions:{principal.user_id}", to_item=info
        )

    async def revoke_session(self, principal: Principal, session_id: UUID) -> bool:
        """Revoke one of my live sessions (404 for anyone else's); True when it was this one."""
        async with self.units() as work:
            session = await self.sessions.live(principal.user_id).filter(id=session_id).first()
            if session is None:
                raise errors.NotFound("No such session")
            await session_effects.revoke_session(work, self.sessions, session.id)
            work.audit("session.revoked", target=("session", session.id), actor_id=principal.user_id)
        return session.id == principal.session_id

    async def revoke_other_sessions(self, principal: Principal) -> int:
        """Every session of mine but this one stops working, in every process."""
        async with self.units() as work:
            work.audit(
                "user.other_sessions_revoked", target=("user", principal.user_id), actor_id=principal.user_id
            )
            return await session_effects.revoke_all(
                work, self.sessions, principal.user_id, except_session_id=principal.session_id
            )
