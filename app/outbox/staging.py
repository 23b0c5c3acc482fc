"""Write background work into the outbox, inside the caller's transaction.

    async with in_transaction():
        user = await User.create(...)
        await stage_email("verify_email", to=user.email, context={...})
    wake_relay()   # after commit: publish now rather than at the next relay pass

If the transaction rolls back, the staged row goes with it and nothing is sent. If the
process dies after commit, the relay of any API process publishes the row later.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from app.emails.render import render_email
from models import OutboxMessage

SEND_EMAIL = "send_email"
_wake: Callable[[], None] | None = None


async def stage(actor: str, payload: dict[str, Any]) -> OutboxMessage:
    """One unit of work for `actor`; runs on the current transaction's connection."""
    return await OutboxMessage.create(actor=actor, payload=payload)


async def stage_email(template: str, *, to: str, context: dict[str, Any]) -> OutboxMessage:
    """Render `template` now (so the worker needs no app) and stage it for send_email.

    The outbox row's id is the email's message_id: a redelivered or re-relayed message
    carries the same id, and the actor sends each id once.
    """
    message_id = uuid.uuid4()
    payload = {**render_email(template, to=to, context=context), "message_id": message_id.hex}
    return await OutboxMessage.create(id=message_id, actor=SEND_EMAIL, payload=payload)


def set_wake_hook(hook: Callable[[], None] | None) -> None:
    """The running relay registers here; services call wake_relay() after commit."""
    global _wake
    _wake = hook


def wake_relay() -> None:
    """Ask the relay to publish now. Harmless when no relay runs (the next pass will)."""
    if _wake is not None:
        _wake()
