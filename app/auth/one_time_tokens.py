"""Single-use tokens (SPEC §2): random, stored hashed, bound to a purpose and a user,
expiring, spent by their first use, superseded by a newer one of the same purpose.

`issue` and `spend` use the current transaction when called inside one, so a token is
created with the change that needs it and spent with the change it confirms;
`email_token` issues one and stages the email with its link in the same unit of work.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field

from app.auth.tokens import TOKEN_PATTERN, hash_token, new_token
from app.core import errors
from app.core.callbacks import Callback
from app.core.unit_of_work import UnitOfWork
from app.outbox.staging import stage_email
from models import OneTimeToken, User

TokenField = Annotated[str, Field(pattern=TOKEN_PATTERN, description="The token from the email")]


class Purpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"
    CONFIRM_PROFILE = "confirm_profile"
    CONFIRM_EMAIL_OLD = "confirm_email_old"
    CONFIRM_EMAIL_NEW = "confirm_email_new"
    CONFIRM_PASSWORD = "confirm_password"
    MFA_CHALLENGE = "mfa_challenge"


async def issue(
    user_id: UUID, purpose: Purpose, *, ttl_seconds: int, payload: dict[str, Any] | None = None
) -> str:
    """A new token; any pending token of the same purpose for the user stops working."""
    now = datetime.now(UTC)
    await OneTimeToken.filter(user_id=user_id, purpose=purpose, used_at=None, superseded_at=None).update(
        superseded_at=now
    )
    token = new_token()
    await OneTimeToken.create(
        user_id=user_id,
        purpose=purpose,
        token_hash=hash_token(token),
        payload=payload or {},
        expires_at=now + timedelta(seconds=ttl_seconds),
    )
    return token


async def email_token(
    work: UnitOfWork,
    user: User,
    purpose: Purpose,
    template: str,
    *,
    callback: Callback,
    ttl_seconds: int,
    to: str | None = None,
    payload: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
) -> None:
    """Issue a token and stage the email with its link (to `to`, else the user's address)
    in `work`: the email exists exactly when its token does."""
    token = await issue(user.id, purpose, ttl_seconds=ttl_seconds, payload=payload)
    await stage_email(
        work,
        template,
        to=user.email if to is None else to,
        context={
            "name": user.name,
            "link": link(callback, token),
            "expires_minutes": ttl_seconds // 60,
            **(context or {}),
        },
    )


async def supersede_pending(user_id: UUID, purposes: set[Purpose] | None = None) -> None:
    """Stop the user's pending tokens (of these purposes, or all): after the account's
    address or password changes, links already sent must not act on the new state."""
    query = OneTimeToken.filter(user_id=user_id, used_at=None, superseded_at=None)
    if purposes is not None:
        query = query.filter(purpose__in=list(purposes))
    await query.update(superseded_at=datetime.now(UTC))


async def find(token: str, purposes: set[Purpose] | Purpose) -> OneTimeToken:
    """The live token row, or InvalidToken; does not spend it."""
    wanted = {purposes} if isinstance(purposes, Purpose) else purposes
    row = await OneTimeToken.get_or_none(token_hash=hash_token(token))
    now = datetime.now(UTC)
    if (
        row is None
        or row.purpose not in wanted
        or row.used_at is not None
        or row.superseded_at is not None
        or row.expires_at <= now
    ):
        raise errors.InvalidToken()
    return row


async def spend(token: str, purposes: set[Purpose] | Purpose) -> OneTimeToken:
    """Find and spend the token in one step; of two concurrent spends, one wins."""
    row = await find(token, purposes)
    spent = await OneTimeToken.filter(id=row.id, used_at=None, superseded_at=None).update(
        used_at=datetime.now(UTC)
    )
    if not spent:
        raise errors.InvalidToken()
    return row


def link(callback: Callback, token: str) -> str:
    """The URL the email points to: the client's checked page, rebuilt from its parsed
    parts with the token as a query value (never the raw callback_url string)."""
    return callback.link(token)
