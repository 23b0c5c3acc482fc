"""Events written straight to a waiting stream's connection (app.events.connection), and
the stream's task taking over, in order, when the connection cannot take them at once.

These lean on Sanic internals (app/events/connection.py): the first test fails if an
upgrade leaves streams without direct writes, the second if flow control is no longer
seen."""

from __future__ import annotations

from uuid import uuid4

import pytest
from sanic import Request, Sanic

from app.core.live_events import Audience, LiveEvent
from app.events.bus import Delivered, Listeners
from app.events.stream import EventStream
from tests.events.sse import EVENTS, open_stream
from tests.events.test_stream import admin_of_new_organization, order
from tests.invites.support import invite
from tests.waiting import eventually

pytestmark = pytest.mark.many_sign_ins


def the_stream(server) -> EventStream:  # type: ignore[no-untyped-def]
    (stream,) = server.state.event_streams.open_streams()
    return stream


async def waiting(stream: EventStream) -> None:
    """Until the stream's task waits, its listener taking events at once."""
    await eventually(lambda: stream.listener.write_now is not None, timeout=5)


async def test_events_reach_a_waiting_stream_written_straight_to_its_connection(server):
    admin, organization = await admin_of_new_organization(server)
    async with open_stream(admin.client) as sse:
        stream = the_stream(server)
        await waiting(stream)
        made = [await invite(admin, organization, f"direct-{number}@example.com") for number in range(3)]
        events = [await sse.next() for _ in made]

    assert [event.data["id"] for event in events] == [invite["id"] for invite in made]
    assert stream.written_at_once == stream.events_written == 3


async def test_a_paused_connection_hands_events_to_the_stream_task_without_loss_or_reordering(
    settings, start_app
):
    requests: list[Request] = []

    def keep_stream_requests(app: Sanic) -> None:
        @app.on_request
        def keep(request: Request) -> None:
            if request.path.endswith(EVENTS):
                requests.append(request)

    async with start_app(settings, prepare=keep_stream_requests) as server:
        admin, organization = await admin_of_new_organization(server)
        async with open_stream(admin.client) as sse:
            stream = the_stream(server)
            await waiting(stream)
            # what the transport does past its high-water mark (a reader too slow to keep up)
            protocol = requests[0].stream.protocol  # type: ignore[union-attr]
            protocol.pause_writing()
            paused = [
                await invite(admin, organization, f"paused-{number}@example.com") for number in range(4)
            ]
            # none is written at once: the task takes them, its send waits, the rest queue
            await eventually(lambda: stream.events_written + len(stream.listener.pending) == 4)
            assert stream.written_at_once == 0
            protocol.resume_writing()
            await waiting(stream)
            after = [await invite(admin, organization, f"after-{number}@example.com") for number in range(2)]
            events = [await sse.next() for _ in paused + after]

    assert [event.data["id"] for event in events] == [made["id"] for made in paused + after]
    ids = [order(event.id) for event in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert (stream.events_written, stream.written_at_once) == (6, 2)


def test_a_stream_failing_to_write_at_once_costs_no_other_stream_its_event():
    listeners = Listeners()
    organization_id = uuid4()
    failing, other = listeners.add(organization_id), listeners.add(organization_id)

    def broken(delivered: Delivered) -> bool:
        raise RuntimeError("a bug in one stream")

    failing.write_now = broken
    delivered = Delivered.of("1-0", LiveEvent("invite.created", organization_id, {"id": "x"}, Audience()))
    listeners.deliver(delivered)

    # the failing stream's task takes it (woken); the other stream still gets it
    assert list(failing.pending) == list(other.pending) == [delivered]
    assert failing.wake.is_set() and failing.write_now is None
