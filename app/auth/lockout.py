"""Per-account sign-in lockout (SPEC §1 Authentication; settings.accounts).

After `lockout_after_failures` failed sign-ins in a row for one email, sign-in answers
429 with `Retry-After` for `lockout_seconds`, whatever the password; then the count
starts again. A successful sign-in clears the count. Rows are keyed by a digest of the
canonical email, never the address, and unknown emails are counted exactly like known
ones, so the lockout does not tell whether an account exists.

This complements the `auth` rate limit (which counts requests per IP and per account
in a short window): the lockout counts *failures* and holds for much longer.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from app.core import email_address, errors
from app.core.settings import AccountSettings
from models import SignInThrottle


async def check(email: str) -> None:
    """429 while the account is locked."""
    locked_until = (
        await SignInThrottle.filter(account_digest=email_address.digest(email))
        .first()
        .values_list("locked_until", flat=True)
    )
    if locked_until is None:
        return
    wait = (locked_until - datetime.now(UTC)).total_seconds()
    if wait > 0:
        raise errors.RateLimited(
            "Too many failed sign-ins for this account; retry later",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )


async def record_failure(email: str, settings: AccountSettings) -> None:
    """Count a failed sign-in; lock the account when the count reaches the limit."""
    digest = email_address.digest(email)
    try:
        await SignInThrottle.get_or_create(account_digest=digest)
    except IntegrityError:
        pass  # created by a concurrent failure
    await SignInThrottle.filter(account_digest=digest).update(failures=F("failures") + 1)
    locked_until = datetime.now(UTC) + timedelta(seconds=settings.lockout_seconds)
    await SignInThrottle.filter(
        account_digest=digest, failures__gte=settings.lockout_after_failures
    ).update(failures=0, locked_until=locked_until)


async def clear(email: str) -> None:
    """A successful sign-in: the next failure counts from one again."""
    await SignInThrottle.filter(account_digest=email_address.digest(email)).delete()
