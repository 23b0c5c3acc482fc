"""SPEC §8: nothing is lost between the database and the queue, and nothing is sent twice."""

from __future__ import annotations

import asyncio

import pytest

from app.core.unit_of_work import UnitOfWork, UnitsOfWork
from app.outbox.staging import stage_email
from models import OutboxMessage
from tests.factories import sign_up
from tests.redis_process import RedisProcess
from tests.services import require_redis
from tests.waiting import eventually

NOTICE = {"name": "Ada", "when": "today"}


async def outbox_is_empty() -> bool:
    return await OutboxMessage.all().count() == 0


async def test_a_rolled_back_transaction_sends_nothing(mail_server, smtp_server):
    units = mail_server.state.units
    with pytest.raises(RuntimeError):
        async with units() as work:
            await stage_email(work, "password_changed", to="rolled@example.com", context=NOTICE)
            raise RuntimeError("the change failed after the email was staged")
    async with units() as work:
        await stage_email(work, "password_changed", to="committed@example.com", context=NOTICE)

    await smtp_server.inbox.wait_for("committed@example.com", "password was changed")
    await eventually(outbox_is_empty, timeout=30)
    assert smtp_server.inbox.to("rolled@example.com") == []


async def test_a_message_relayed_twice_is_sent_once(mail_server, smtp_server):
    # A relay that published a row and died before deleting it: the next relay publishes
    # the same row again, and the actor recognises its message_id.
    async with mail_server.state.units() as work:
        row = await stage_email(work, "password_changed", to="twice@example.com", context=NOTICE)
    broker = mail_server.state.broker
    await asyncio.to_thread(broker.get_actor("send_email").send, row.payload)

    await eventually(outbox_is_empty, timeout=30)
    await asyncio.to_thread(broker.join, "email", timeout=10_000)
    await smtp_server.inbox.wait_for("twice@example.com", "password was changed")
    assert len(smtp_server.inbox.to("twice@example.com")) == 1


@pytest.fixture
def broker_redis(tmp_path):  # type: ignore[no-untyped-def]
    require_redis()
    process = RedisProcess(tmp_path)
    process.start()
    yield process
    process.stop()


async def test_sign_up_while_the_broker_is_down_sends_the_email_once_it_is_back(
    make_settings, migrated_database, redis_url, smtp_server, broker_redis, start_app
):
    from tasks.broker import start_in_process_worker, stop_worker

    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        broker={"url": broker_redis.url, "min_backoff_ms": 50, "max_backoff_ms": 500},
        email={"backend": "smtp", "smtp_url": smtp_server.url},
        outbox={"relay_interval_seconds": 0.2},
    )
    async with start_app(settings) as live:
        worker = start_in_process_worker(live.state.broker)
        try:
            broker_redis.stop()

            user = await sign_up(live.client)  # answers 201 although the broker is down

            async def publish_failed() -> bool:
                row = await OutboxMessage.first()
                return row is not None and row.publish_attempts >= 1

            await eventually(publish_failed, timeout=30)
            assert smtp_server.inbox.to(user["email"]) == []

            broker_redis.start()
            await smtp_server.inbox.wait_for(user["email"], "confirm your email", timeout=45)
            await eventually(outbox_is_empty, timeout=30)
            await asyncio.to_thread(live.state.broker.join, "email", timeout=10_000)
            assert len(smtp_server.inbox.to(user["email"])) == 1
        finally:
            stop_worker(worker, timeout_ms=2_000)


async def test_a_local_job_that_fails_rolls_back_and_keeps_its_row(settings):
    # local jobs (app/outbox/relay.py) run in the relay, in one transaction with their
    # row's deletion: a job that dies half-way leaves neither its effects nor a lost row
    from app.core.database import close_database, open_database
    from app.outbox.relay import OutboxRelay
    from app.outbox.staging import stage

    published: list[str] = []

    async def failing(payload: dict, work: UnitOfWork) -> None:
        await stage_email(work, "password_changed", to="half-done@example.com", context=NOTICE)
        raise RuntimeError("the job failed after staging")

    async def working(payload: dict, work: UnitOfWork) -> None:
        await stage_email(work, "password_changed", to=payload["to"], context=NOTICE)

    def publish(actor: str, payload: dict) -> None:
        published.append(actor)

    await open_database(settings.database)
    try:
        units = UnitsOfWork()
        relay = OutboxRelay(
            settings.outbox, publish=publish, units=units, local_jobs={"local_test_job": failing}
        )
        async with units() as work:
            await stage(work, "local_test_job", {"to": "done@example.com"})
        assert await relay.relay_once() == 0
        (kept,) = await OutboxMessage.all()
        assert kept.actor == "local_test_job" and kept.publish_attempts == 1
        assert kept.claimed_until is None and kept.last_error == "the job failed after staging"

        relay = OutboxRelay(
            settings.outbox, publish=publish, units=units, local_jobs={"local_test_job": working}
        )
        assert await relay.relay_once() == 1

        (staged,) = await OutboxMessage.all()  # the job's email, for the next pass to publish
        assert staged.actor == "send_email" and staged.payload["to"] == "done@example.com"
        assert published == []  # a local job is never sent to the broker
    finally:
        await close_database()


async def test_a_local_job_claimed_by_two_relays_runs_once(settings):
    # a job that outlives its claim is claimed again by another relay (another API
    # process); the row is deleted before the job runs, so the second relay finds nothing
    from app.core.database import close_database, open_database
    from app.core.settings import OutboxSettings
    from app.outbox.relay import OutboxRelay
    from app.outbox.staging import stage

    runs: list[str] = []

    async def slow(payload: dict, work: UnitOfWork) -> None:
        runs.append(payload["to"])
        await stage_email(work, "password_changed", to=payload["to"], context=NOTICE)
        await asyncio.sleep(0.3)  # longer than the claim below

    def publish(actor: str, payload: dict) -> None:
        raise AssertionError("a local job is never published")

    short_claim = OutboxSettings(claim_seconds=0.05)
    await open_database(settings.database)
    try:
        each_process_units = [UnitsOfWork(), UnitsOfWork()]
        first, second = (
            OutboxRelay(short_claim, publish=publish, units=units, local_jobs={"local_test_job": slow})
            for units in each_process_units
        )
        async with each_process_units[0]() as work:
            await stage(work, "local_test_job", {"to": "once@example.com"})
        first_pass = asyncio.create_task(first.relay_once())
        await asyncio.sleep(0.1)  # the first claim has run out; the job is still running
        done = await asyncio.gather(first_pass, second.relay_once())
        assert sorted(done) == [0, 1]
        assert runs == ["once@example.com"]
        assert await OutboxMessage.filter(actor="local_test_job").count() == 0
        assert await OutboxMessage.filter(actor="send_email").count() == 1
    finally:
        await close_database()


async def test_two_apps_in_one_process_each_wake_their_own_relay(
    make_settings, migrated_database, redis_url, smtp_server, start_app
):
    # each app's units of work wake that app's relay: stopping one app (which once cleared
    # a hook shared by the process) leaves the other publishing at once after a commit,
    # long before its next pass would
    from tasks.broker import start_in_process_worker, stop_worker

    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis_url},
        email={"backend": "smtp", "smtp_url": smtp_server.url},
        outbox={"relay_interval_seconds": 600},
    )
    async with start_app(settings) as staying:
        async with start_app(settings):
            pass  # the second app starts, then stops
        worker = start_in_process_worker(staying.state.broker)
        try:
            user = await sign_up(staying.client)

            await smtp_server.inbox.wait_for(user["email"], "confirm your email", timeout=15)
            await eventually(outbox_is_empty, timeout=15)
        finally:
            stop_worker(worker, timeout_ms=2_000)
