"""What the fan-out does when Redis misbehaves, and the embedded default without Redis."""

from __future__ import annotations

import redis as redis_sync
from prometheus_client import REGISTRY

from tests.events.sse import open_stream
from tests.events.test_stream import admin_of_new_organization
from tests.invites.support import invite
from tests.redis_process import free_port
from tests.waiting import eventually


def dropped() -> float:
    return REGISTRY.get_sample_value("tandem_live_events_dropped_total") or 0.0


async def test_an_event_published_while_the_pub_sub_connection_was_down_is_replayed_to_open_streams(
    server, redis_url
):
    admin, organization = await admin_of_new_organization(server)
    async with open_stream(admin.client) as stream:
        await invite(admin, organization, "before@example.com")
        assert (await stream.next()).data["email"] == "before@example.com"
        # cut this app's pub/sub connection (its database's only subscriber), as a network
        # blip would: the next event is published while nobody of ours listens
        admin_redis = redis_sync.Redis.from_url(redis_url)
        database = admin_redis.connection_pool.connection_kwargs.get("db", 0)
        ours = [c for c in admin_redis.client_list(_type="pubsub") if int(c["db"]) == database]
        assert ours
        for connection in ours:
            admin_redis.client_kill_filter(_id=connection["id"])
        during = await invite(admin, organization, "during@example.com")

        # once resubscribed (within a second), the stream reads what it missed from Redis
        replayed = await stream.next(timeout=5)
        after = await invite(admin, organization, "after@example.com")
        live = await stream.next()
        admin_redis.close()

    assert replayed.data["id"] == during["id"]
    assert live.data["id"] == after["id"]


async def test_redis_down_when_publishing_drops_the_event_and_the_change_still_succeeds(
    make_settings, migrated_database, start_app
):
    nowhere = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    settings = make_settings(database={"url": migrated_database}, redis={"url": nowhere})
    async with start_app(settings) as server:
        admin, organization = await admin_of_new_organization(server)
        before = dropped()
        made = await admin.client.post(
            f"/api/v1/organizations/{organization.id}/invites",
            json={"email": "x@example.com", "role": "Teacher"},
        )
        assert made.status_code == 201, made.text
        await eventually(lambda: dropped() == before + 1)


async def test_without_redis_events_reach_streams_in_this_process_and_replay_from_memory(
    make_settings, migrated_database, start_app
):
    settings = make_settings(database={"url": migrated_database})
    assert not settings.redis.url
    async with start_app(settings) as server:
        admin, organization = await admin_of_new_organization(server)
        async with open_stream(admin.client) as stream:
            await invite(admin, organization, "seen@example.com")
            seen = await stream.next()
        missed = await invite(admin, organization, "missed@example.com")
        async with open_stream(admin.client, headers={"Last-Event-ID": seen.id}) as stream:
            replayed = await stream.next()
            live = await invite(admin, organization, "live@example.com")
            after = await stream.next()
            assert await stream.silence(0.2) == []

    assert replayed.data["id"] == missed["id"]
    assert after.data["id"] == live["id"]
