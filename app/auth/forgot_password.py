"""Forgot-password (SPEC §2) without telling, by its answer or its timing, whether an
account exists.

The request only stages one outbox row (`password_reset_requested`: the canonical
email and the checked callback URL) and answers: the same code and the same single
INSERT for every address. The outbox relay of an API process (app/outbox/relay.py)
then runs `send_reset_link` as a local job, off the response path and in its own
transaction with the row's deletion: it looks the account up, issues the token and
stages the reset email, or does nothing for an unknown or disabled account. A process
that dies before that commit leaves the row, and another relay runs the job later.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from app.auth import one_time_tokens
from app.auth.one_time_tokens import Purpose
from app.core import errors
from app.core.callbacks import Callback, check_callback_url
from app.core.settings import AccountSettings
from app.core.unit_of_work import UnitOfWork, UnitsOfWork
from app.outbox.staging import stage
from models import User

PASSWORD_RESET_REQUESTED = "password_reset_requested"
logger = logging.getLogger("tandem.auth")


async def request_reset(email: str, *, callback: Callback, units: UnitsOfWork) -> None:
    """Stage the request; nothing here may depend on whether `email` has an account."""
    async with units() as work:
        await stage(work, PASSWORD_RESET_REQUESTED, {"email": email, "callback_url": callback.url})


async def send_reset_link(
    payload: dict[str, Any], work: UnitOfWork, *, accounts: AccountSettings, callback_origins: tuple[str, ...]
) -> None:
    """Outbox job, inside the relay's unit of work: the reset email, when the account
    exists and is enabled."""
    user = await User.get_or_none(email=payload["email"], deleted_at=None)
    if user is None or user.disabled:
        return
    try:
        callback = check_callback_url(payload["callback_url"], callback_origins)
    except errors.ValidationFailed:
        # checked at the request; only a change of trusted origins since then gets here
        logger.warning("forgot-password: the callback origin is no longer trusted; not sent")
        return
    await one_time_tokens.email_token(
        work,
        user,
        Purpose.RESET_PASSWORD,
        "reset_password",
        callback=callback,
        ttl_seconds=accounts.email_token_seconds,
    )


def outbox_jobs(
    accounts: AccountSettings, callback_origins: tuple[str, ...]
) -> dict[str, Callable[[dict[str, Any], UnitOfWork], Awaitable[None]]]:
    """The outbox actors of this module that the relay runs itself (they need the database)."""
    return {
        PASSWORD_RESET_REQUESTED: partial(
            send_reset_link, accounts=accounts, callback_origins=callback_origins
        )
    }
