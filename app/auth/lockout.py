"""Sign-in lockout that an attacker cannot aim at someone (SPEC §1 Rate limits; settings.accounts).

Failures (wrong passwords at sign-in, wrong codes at MFA verify, wrong secrets asked
again of a signed-in user) are counted twice:

- per (account, client IP): after `lockout_after_failures` in a row from one address
  (IPv6: its /64), sign-in from there answers 429 with `Retry-After` for
  `lockout_seconds`, whatever the password; a successful sign-in from there clears it.
  Someone who only knows an email can lock out themselves, not the owner elsewhere.
- per account, over every address: `lockout_account_wide_after_failures` (far above
  the per-IP limit) within `lockout_seconds` lock the whole account for `lockout_seconds`
  and email its owner, at most once an hour. This bounds a guessing attack spread over
  many addresses; a successful sign-in does not clear it (the attacker's count would
  start again whenever the owner signs in).

A successful password reset or a completed password change lifts every lock of the
account. Rows are keyed by digests of the canonical email and of the client address,
never the values themselves, and unknown emails are counted exactly like known ones, so
the lockout does not tell whether an account exists.

This complements the `auth` rate limits (which count requests in a short window): the
lockout counts *failures* and holds for much longer.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q

from app.core import email_address, errors
from app.core.client_address import rate_subject
from app.core.settings import AccountSettings
from app.core.unit_of_work import UnitsOfWork
from app.emails.render import moment
from app.outbox.staging import stage_email
from models import SignInThrottle, User
from models.sign_in_throttle import ACCOUNT_WIDE

NOTICE_INTERVAL = timedelta(hours=1)  # the owner hears of an attack at most this often


def client_digest(client_ip: str) -> str:
    """SHA-256 of the client's rate subject: an IPv6 client is one /64, as one host gets."""
    return hashlib.sha256(rate_subject(client_ip).encode()).hexdigest()


async def check(email: str, client_ip: str) -> None:
    """429 while this client, or the whole account, is locked."""
    locked_until = await (
        SignInThrottle.filter(
            account_digest=email_address.digest(email),
            client_digest__in=(client_digest(client_ip), ACCOUNT_WIDE),
            locked_until__gt=datetime.now(UTC),
        )
        .order_by("-locked_until")
        .first()
        .values_list("locked_until", flat=True)
    )
    if locked_until is None:
        return
    wait = (locked_until - datetime.now(UTC)).total_seconds()
    raise errors.RateLimited.after(wait, "Too many failed sign-ins for this account; retry later")


async def record_failure(
    email: str, client_ip: str, settings: AccountSettings, *, units: UnitsOfWork
) -> None:
    """Count a failure from `client_ip`; lock the pair, or the account, at their limits."""
    account = email_address.digest(email)
    now = datetime.now(UTC)
    locked_until = now + timedelta(seconds=settings.lockout_seconds)
    client = client_digest(client_ip)
    await _count_in_a_row(account, client, now)
    await SignInThrottle.filter(
        account_digest=account, client_digest=client, failures__gte=settings.lockout_after_failures
    ).update(failures=0, locked_until=locked_until, updated_at=now)

    await _count_in_window(account, now, window=timedelta(seconds=settings.lockout_seconds))
    crossed = await SignInThrottle.filter(
        account_digest=account,
        client_digest=ACCOUNT_WIDE,
        failures__gte=settings.lockout_account_wide_after_failures,
    ).update(failures=0, window_started_at=now, locked_until=locked_until, updated_at=now)
    if crossed:
        await _tell_owner(email, account, now, settings, units=units)


async def clear(email: str, client_ip: str) -> None:
    """A successful sign-in from `client_ip`: its next failure there counts from one again."""
    await SignInThrottle.filter(
        account_digest=email_address.digest(email), client_digest=client_digest(client_ip)
    ).delete()


async def lift(email: str) -> None:
    """The password was reset or changed (or the account erased): every lock and count goes."""
    await SignInThrottle.filter(account_digest=email_address.digest(email)).delete()


async def _count_in_a_row(account: str, client: str, now: datetime) -> None:
    for _ in range(2):
        if await SignInThrottle.filter(account_digest=account, client_digest=client).update(
            failures=F("failures") + 1, updated_at=now
        ):
            return
        try:
            await SignInThrottle.create(account_digest=account, client_digest=client, failures=1)
            return
        except IntegrityError:
            continue  # created by a concurrent failure: count on it


async def _count_in_window(account: str, now: datetime, *, window: timedelta) -> None:
    """One more failure in the account's current window; an older window starts again."""
    started_before = now - window
    for _ in range(2):
        rows = SignInThrottle.filter(account_digest=account, client_digest=ACCOUNT_WIDE)
        if await rows.filter(window_started_at__gte=started_before).update(
            failures=F("failures") + 1, updated_at=now
        ):
            return
        if await rows.filter(Q(window_started_at=None) | Q(window_started_at__lt=started_before)).update(
            failures=1, window_started_at=now, updated_at=now
        ):
            return
        try:
            await SignInThrottle.create(
                account_digest=account, client_digest=ACCOUNT_WIDE, failures=1, window_started_at=now
            )
            return
        except IntegrityError:
            continue


async def _tell_owner(
    email: str, account: str, now: datetime, settings: AccountSettings, *, units: UnitsOfWork
) -> None:
    """Email the owner that their account is locked, unless they heard within the hour."""
    async with units() as work:
        claimed = await SignInThrottle.filter(
            Q(notified_at=None) | Q(notified_at__lt=now - NOTICE_INTERVAL),
            account_digest=account,
            client_digest=ACCOUNT_WIDE,
        ).update(notified_at=now)
        user = await User.get_or_none(email=email, deleted_at=None) if claimed else None
        if user is None:
            return  # already told, or an unknown email: counted alike, nobody to tell
        await stage_email(
            work,
            "sign_in_attempts",
            to=user.email,
            context={
                "name": user.name,
                "when": moment(now),
                "failures": settings.lockout_account_wide_after_failures,
                "minutes": max(1, settings.lockout_seconds // 60),
            },
        )
