"""The app's one pub/sub connection (app/core/pubsub.py): subscribers share it, and each
is told whenever messages may have been missed, as when the connection was lost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from app.core.metrics import Metrics
from app.core.pubsub import PubSub
from app.core.redis_gateway import RedisGateway
from app.core.settings import MetricsSettings, RedisSettings
from tests.redis_process import RedisProcess


class Subscriber:
    """What one subscriber heard: messages in order, and how many gaps."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.gaps = 0

    def hear(self, data: bytes) -> None:
        self.messages.append(data)

    def note_gap(self) -> None:
        self.gaps += 1


async def until(condition: Callable[[], bool], *, seconds: float = 5) -> None:
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.01)


@pytest.fixture
async def redis(tmp_path: Path) -> AsyncIterator[RedisGateway]:
    """A Redis of the test's own: CLIENT KILL TYPE pubsub must not reach other tests' listeners."""
    server = RedisProcess(tmp_path)
    server.start()
    gateway = RedisGateway(RedisSettings(url=server.url), metrics=Metrics(MetricsSettings()))
    try:
        yield gateway
    finally:
        await gateway.close()
        server.stop()


async def pubsub_connections(redis: RedisGateway) -> int:
    return len(await redis.client.client_list(_type="pubsub"))


@pytest.fixture
async def running() -> AsyncIterator[Callable[[PubSub], None]]:
    """Start a PubSub's listener; it is stopped, and must end promptly, after the test."""
    started: list[tuple[PubSub, asyncio.Task[None]]] = []

    def start(pubsub: PubSub) -> None:
        started.append((pubsub, asyncio.create_task(pubsub.run())))

    yield start
    for pubsub, task in started:
        pubsub.stop()
        await asyncio.wait_for(task, timeout=1)  # the poll interval is half a second


async def test_two_subscribers_share_one_connection_and_each_gets_its_messages(redis, running):
    pubsub = PubSub(redis)
    first, second = Subscriber(), Subscriber()
    pubsub.subscribe("test:first", first.hear, on_gap=first.note_gap)
    pubsub.subscribe("test:second", second.hear, on_gap=second.note_gap)
    pubsub.subscribe("test:both", first.hear, on_gap=first.note_gap)
    pubsub.subscribe("test:both", second.hear, on_gap=second.note_gap)
    running(pubsub)
    await until(lambda: first.gaps and second.gaps)  # told once subscribed: from now on nothing is missed

    for channel, data in [("test:first", b"1"), ("test:second", b"2"), ("test:both", b"3")]:
        await redis.client.publish(channel, data)
    await until(lambda: len(first.messages) == 2 and len(second.messages) == 2)

    assert first.messages == [b"1", b"3"]
    assert second.messages == [b"2", b"3"]
    assert await pubsub_connections(redis) == 1


async def test_every_subscriber_is_told_of_the_gap_when_the_connection_is_lost(redis, running):
    pubsub = PubSub(redis)
    first, second = Subscriber(), Subscriber()
    pubsub.subscribe("test:first", first.hear, on_gap=first.note_gap)
    pubsub.subscribe("test:second", second.hear, on_gap=second.note_gap)
    running(pubsub)
    await until(lambda: first.gaps == 1 and second.gaps == 1)

    await redis.client.client_kill_filter(_type="pubsub")
    # told when the loss is noticed, and again once subscribed anew
    await until(lambda: first.gaps == 3 and second.gaps == 3)

    await redis.client.publish("test:first", b"after")
    await redis.client.publish("test:second", b"after")
    await until(lambda: first.messages == [b"after"] and second.messages == [b"after"])
    assert await pubsub_connections(redis) == 1


async def test_a_subscriber_whose_handler_fails_is_told_of_a_gap_and_the_others_still_hear(
    redis, running, captured_log
):
    pubsub = PubSub(redis)
    failing, other = Subscriber(), Subscriber()

    def fail(data: bytes) -> None:
        raise ValueError("cannot handle this")

    pubsub.subscribe("test:shared", fail, on_gap=failing.note_gap)
    pubsub.subscribe("test:shared", other.hear, on_gap=other.note_gap)
    running(pubsub)
    await until(lambda: failing.gaps == 1 and other.gaps == 1)

    await redis.client.publish("test:shared", b"one")
    await redis.client.publish("test:shared", b"two")
    await until(lambda: other.messages == [b"one", b"two"])

    assert failing.gaps == 3  # once subscribed, then once per message it lost
    assert other.gaps == 1
    assert "pub/sub subscriber of test:shared failed" in captured_log.text()


async def test_a_subscriber_whose_gap_handler_fails_does_not_end_the_listener_for_the_others(
    redis, running, captured_log
):
    pubsub = PubSub(redis)
    other = Subscriber()

    def fail() -> None:
        raise ValueError("cannot drop its copies")

    pubsub.subscribe("test:broken", lambda data: None, on_gap=fail)
    pubsub.subscribe("test:other", other.hear, on_gap=other.note_gap)
    running(pubsub)
    await until(lambda: other.gaps == 1)

    await redis.client.publish("test:other", b"still heard")
    await until(lambda: other.messages == [b"still heard"])
    assert "pub/sub subscriber of test:broken failed to handle a gap" in captured_log.text()


async def test_a_subscription_after_the_listener_started_is_refused(redis, running):
    pubsub = PubSub(redis)
    early = Subscriber()
    pubsub.subscribe("test:early", early.hear, on_gap=early.note_gap)
    running(pubsub)
    await until(lambda: early.gaps == 1)

    late = Subscriber()
    with pytest.raises(RuntimeError, match="before the pub/sub listener starts"):
        pubsub.subscribe("test:late", late.hear, on_gap=late.note_gap)
