"""The rules of signing up, in and out. No Sanic here: routes, tests and workers call it."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app.auth.passwords import hash_password, verify_password
from app.auth.schemas import SessionPublic, SignedIn, SignIn, SignUp
from app.auth.sessions import SessionStore
from app.auth.principal import Principal
from app.core import errors
from app.users.schemas import UserPublic
from models import User


@dataclass(frozen=True, slots=True)
class SignInResult:
    body: SignedIn
    token: str


async def sign_up(data: SignUp, *, hide_account_existence: bool) -> UserPublic:
    """Create an account; 409 when the email or nickname is taken."""
    taken = await User.filter(email=data.email).exists() or await User.filter(
        nickname=data.nickname
    ).exists()
    if taken:
        raise _taken(data, hide_account_existence=hide_account_existence)
    password_hash = await hash_password(data.password)
    try:
        async with in_transaction():
            user = await User.create(
                name=data.name, nickname=data.nickname, email=data.email, password_hash=password_hash
            )
    except IntegrityError:
        # lost a race with a concurrent sign-up for the same email or nickname
        raise _taken(data, hide_account_existence=hide_account_existence) from None
    return UserPublic.of(user)


def _taken(data: SignUp, *, hide_account_existence: bool) -> errors.Conflict:
    if hide_account_existence:
        return errors.Conflict("An account with this email or nickname already exists")
    return errors.Conflict("This email or nickname is already taken")


async def sign_in(
    data: SignIn, *, sessions: SessionStore, ip_address: str, user_agent: str
) -> SignInResult:
    """Check the password (same time whether or not the account exists) and open a session."""
    user = await User.filter(email=data.email, deleted_at=None).first()
    matched = await verify_password(user.password_hash if user else None, data.password)
    if user is None or not matched or user.disabled:
        raise errors.Unauthenticated("Email or password is incorrect")
    kind = "bearer" if data.token else "cookie"
    session, token, refresh = await sessions.create(
        user, kind=kind, ip_address=ip_address, user_agent=user_agent
    )
    body = SignedIn(user=UserPublic.of(user), session=SessionPublic.model_validate(session))
    if data.token:
        body.access_token = token
        body.refresh_token = refresh
        body.expires_in = sessions.settings.absolute_lifetime_seconds
    return SignInResult(body=body, token=token)


async def sign_out(principal: Principal, *, sessions: SessionStore) -> None:
    await sessions.revoke(principal.token_hash)
