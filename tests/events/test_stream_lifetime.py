"""How long a stream lives: heartbeats keep it open past every timeout; it ends when the
session or the membership does, and when the server stops; it is bounded per user."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.events.sse import open_stream
from tests.events.test_stream import admin_of_new_organization, member_of
from tests.factories import PASSWORD, use_cookie
from tests.invites.support import invite
from tests.problems import assert_problem

pytestmark = pytest.mark.many_sign_ins


async def test_a_heartbeat_comment_arrives_every_heartbeat_seconds(events_settings, start_app):
    async with start_app(events_settings(heartbeat_seconds=0.2)) as server:
        admin, _ = await admin_of_new_organization(server)
        async with open_stream(admin.client) as stream:
            assert await stream.silence(0.7) == []
    assert stream.comments.count("heartbeat") >= 2


async def test_a_stream_outlives_the_response_timeout_while_heartbeats_flow(events_settings, start_app):
    async with start_app(events_settings(heartbeat_seconds=0.2)) as server:
        server.app.config.RESPONSE_TIMEOUT = 0.6  # read per connection: applies to the next
        admin, organization = await admin_of_new_organization(server)
        async with open_stream(admin.client) as stream:
            await asyncio.sleep(1.2)  # twice the response timeout, to show it does not cut
            made = await invite(admin, organization, "late@example.com")
            assert (await stream.next()).data["id"] == made["id"]


async def test_signing_out_ends_the_stream_of_that_session(server):
    admin, _ = await admin_of_new_organization(server)
    async with open_stream(admin.client) as stream:
        signed_out = await admin.client.post("/api/v1/auth/sign-out")
        assert signed_out.status_code == 200, signed_out.text
        assert await stream.events_until_end(timeout=2) == []


async def test_a_session_revoked_from_another_device_ends_its_stream(server):
    admin, _ = await admin_of_new_organization(server)
    other_device = httpx.AsyncClient(base_url=server.url, headers=dict(admin.client.headers), timeout=10)
    signed_in = await other_device.post(
        "/api/v1/auth/sign-in", json={"email": admin.email, "password": PASSWORD}
    )
    use_cookie(other_device, signed_in.cookies["tandem_session"])
    async with open_stream(admin.client) as stream:
        revoked = await other_device.post("/api/v1/auth/sessions/revoke-others")
        assert revoked.status_code == 200, revoked.text
        assert await stream.events_until_end(timeout=2) == []
    # the device that revoked keeps its own stream
    async with open_stream(other_device) as stream:
        assert await stream.silence(0.2) == []
    await other_device.aclose()


async def test_stream_for_organization_i_left_ends(server):
    _, organization = await admin_of_new_organization(server)
    teacher = await member_of(server, organization, "Teacher")
    async with open_stream(teacher.client) as stream:
        left = await teacher.client.delete(f"/api/v1/me/organizations/{organization.id}")
        assert left.status_code in (200, 204), left.text
        last = await stream.events_until_end(timeout=2)
    assert [event.type for event in last] == ["member.removed"]
    assert last[0].data["user_id"] == teacher.id and last[0].data["status"] == "removed"
    # and it cannot be opened again
    assert_problem(await teacher.client.get("/api/v1/events"), 404, "NOT_FOUND")


async def test_a_member_removed_hears_it_and_their_stream_ends_while_others_go_on(server):
    admin, organization = await admin_of_new_organization(server)
    teacher = await member_of(server, organization, "Teacher")
    async with open_stream(teacher.client) as removed_stream, open_stream(admin.client) as admins:
        removed = await admin.client.delete(f"/api/v1/organizations/{organization.id}/members/{teacher.id}")
        assert removed.status_code in (200, 204), removed.text

        assert [event.type for event in await removed_stream.events_until_end(timeout=2)] == [
            "member.removed"
        ]
        assert (await admins.next()).type == "member.removed"
        made = await invite(admin, organization, "still@example.com")
        assert (await admins.next()).data["id"] == made["id"]


async def test_deleting_the_organization_ends_every_stream_after_telling_it(server):
    admin, organization = await admin_of_new_organization(server)
    teacher = await member_of(server, organization, "Teacher")
    async with open_stream(teacher.client) as stream:
        deleted = await admin.client.delete(f"/api/v1/organizations/{organization.id}")
        assert deleted.status_code in (200, 204), deleted.text
        last = await stream.events_until_end(timeout=2)
    assert [(event.type, event.data) for event in last] == [
        ("organization.deleted", {"id": str(organization.id)})
    ]


async def test_more_streams_than_the_per_user_bound_is_429(events_settings, start_app):
    async with start_app(events_settings(max_streams_per_user=2)) as server:
        admin, _ = await admin_of_new_organization(server)
        async with open_stream(admin.client), open_stream(admin.client):
            refused = await admin.client.get("/api/v1/events")
            assert_problem(refused, 429, "RATE_LIMITED")
            # another user is not bound by mine
            other, _ = await admin_of_new_organization(server)
            async with open_stream(other.client):
                pass
        # closing one frees its place
        await asyncio.sleep(0.05)  # the server notices the disconnect on its next read
        async with open_stream(admin.client) as stream:
            assert stream.response.status_code == 200


async def test_stopping_the_server_ends_open_streams_at_once(settings, start_app):
    async with start_app(settings) as server:
        admin, _ = await admin_of_new_organization(server)
        stream_context = open_stream(admin.client)
        stream = await stream_context.__aenter__()
        started = time.monotonic()
    stopped_after = time.monotonic() - started
    assert await stream.events_until_end(timeout=2) == []
    await stream_context.__aexit__(None, None, None)
    assert stopped_after < 2
