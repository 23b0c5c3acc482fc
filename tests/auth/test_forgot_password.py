"""Forgot-password must not tell whether an account exists, by its answer or by the work
done before it (issue 9, item 1.4): the request stages one outbox row, and the lookup,
the token and the email happen afterwards, in the outbox relay."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from app.auth.forgot_password import PASSWORD_RESET_REQUESTED
from models import OneTimeToken, OutboxMessage
from tests.conftest import TRUSTED_ORIGIN
from tests.factories import sign_up
from tests.live_server import LiveServer
from tests.mail import text_of, token_in
from tests.waiting import eventually

FORGOT = "/api/v1/auth/forgot-password"
CALLBACK = f"{TRUSTED_ORIGIN}/reset"
UNKNOWN = "nobody-at-all@example.com"


@contextmanager
def queries_of_requests(server: LiveServer) -> Iterator[list[str]]:
    """The SQL statements run while serving requests: Tortoise logs each statement it
    executes; those of the app's background tasks (the outbox relay) and of worker
    threads are left out, so only what happens before an answer is counted."""
    background = set(server.state.background_tasks)
    statements: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            try:
                task = asyncio.current_task()
            except RuntimeError:
                return  # a worker thread, outside any event loop
            if task is not None and task not in background:
                # the statement without its values, which name the email
                statements.append(str(record.args[0]) if record.args else str(record.msg))

    logger = logging.getLogger("tortoise.db_client")
    handler, level = Collect(logging.DEBUG), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield statements
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def test_forgot_password_runs_the_same_queries_for_known_and_unknown_emails(mail_server, smtp_server):
    known = await sign_up(mail_server.client)
    await smtp_server.inbox.wait_for(known["email"], "confirm your email")
    seen: dict[str, list[str]] = {}

    for email in (known["email"], UNKNOWN, known["email"].upper()):
        with queries_of_requests(mail_server) as statements:
            response = await mail_server.client.post(FORGOT, json={"email": email, "callback_url": CALLBACK})
        assert response.status_code == 200 and response.json() == {"success": True}
        seen[email] = statements

    # one INSERT into the outbox, whoever asks: no lookup before the answer
    assert seen[known["email"]] == seen[UNKNOWN] == seen[known["email"].upper()]
    assert len(seen[UNKNOWN]) == 1 and re.search(r"outbox_messages", seen[UNKNOWN][0])
    first = await smtp_server.inbox.wait_for(known["email"], "reset your")
    second = await smtp_server.inbox.wait_for(known["email"], "reset your", count=2)
    assert f"{CALLBACK}?token=" in text_of(first) and token_in(first) != token_in(second)
    await eventually(_outbox_is_empty)
    await asyncio.sleep(0.3)
    assert smtp_server.inbox.to(UNKNOWN) == []


async def test_a_reset_request_left_by_a_dead_process_is_sent_later(mail_server, smtp_server):
    known = await sign_up(mail_server.client)
    # a relay claimed the request and died before its transaction committed: the row
    # is still there, its claim run out
    await OutboxMessage.create(
        actor=PASSWORD_RESET_REQUESTED,
        payload={"email": known["email"], "callback_url": CALLBACK},
        claimed_until=datetime.now(UTC) - timedelta(seconds=1),
    )

    message = await smtp_server.inbox.wait_for(known["email"], "reset your")

    assert f"{CALLBACK}?token=" in text_of(message)
    await eventually(_outbox_is_empty)
    assert await OneTimeToken.filter(user_id=known["id"], purpose="reset_password").count() == 1


async def _outbox_is_empty() -> bool:
    return await OutboxMessage.all().count() == 0
