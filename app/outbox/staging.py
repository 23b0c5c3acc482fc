"""Write background work into the outbox, inside the caller's unit of work.

    async with units() as work:
        user = await User.create(...)
        await stage_email(work, "verify_email", to=user.email, context={...})
    # after commit the unit wakes the relay: published now, not at the next relay pass

If the transaction rolls back, the staged row goes with it and nothing is sent. If the
process dies after commit, the relay of any API process publishes the row later.
"""

from __future__ import annotations

import uuid
from typing import Any

from app.core.unit_of_work import EffectKind, UnitOfWork
from app.emails.render import render_email
from models import OutboxMessage

SEND_EMAIL = "send_email"
# handled by the app's relay (app/outbox/relay.py), which registers itself at start-up
RELAY_WAKE: EffectKind[None] = EffectKind("wake the outbox relay")


async def stage(work: UnitOfWork, actor: str, payload: dict[str, Any]) -> OutboxMessage:
    """One unit of work for `actor`, in `work`'s transaction; the relay is woken after commit."""
    work.add(RELAY_WAKE)
    return await OutboxMessage.create(actor=actor, payload=payload)


async def stage_email(work: UnitOfWork, template: str, *, to: str, context: dict[str, Any]) -> OutboxMessage:
    """Render `template` now (so the worker needs no app) and stage it for send_email.

    The outbox row's id is the email's message_id: a redelivered or re-relayed message
    carries the same id, and the actor sends each id once.
    """
    work.add(RELAY_WAKE)
    message_id = uuid.uuid4()
    payload = {**render_email(template, to=to, context=context), "message_id": message_id.hex}
    return await OutboxMessage.create(id=message_id, actor=SEND_EMAIL, payload=payload)
