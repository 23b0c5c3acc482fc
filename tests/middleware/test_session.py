"""Sessions end server-side: idle and absolute expiry, and revocation in every process."""

from __future__ import annotations

import asyncio

import pytest

from models import AuthSession
from tests.factories import signed_in_user, use_cookie
from tests.problems import assert_problem
from tests.redis_process import RedisProcess
from tests.waiting import eventually


def shift_clock(server, seconds: float) -> None:
    store = server.state.sessions
    real = store.clock
    store.clock = lambda: real() + seconds


async def test_session_past_idle_timeout_is_401(server):
    person = await signed_in_user(server)
    assert (await person.client.get("/api/v1/me")).status_code == 200
    shift_clock(server, server.state.settings.sessions.idle_timeout_seconds + 5)
    assert_problem(await person.client.get("/api/v1/me"), 401, "UNAUTHENTICATED")


async def test_activity_keeps_a_session_alive_past_the_idle_timeout(server):
    person = await signed_in_user(server)
    idle = server.state.settings.sessions.idle_timeout_seconds
    shift_clock(server, idle - 60)
    assert (await person.client.get("/api/v1/me")).status_code == 200  # touches last_seen_at
    server.state.sessions.forget_locally()
    shift_clock(server, 120)  # now idle + 60 after sign-in, but only 120 s after the last request
    assert (await person.client.get("/api/v1/me")).status_code == 200


async def test_session_past_absolute_lifetime_is_401_even_when_active(server):
    person = await signed_in_user(server)
    settings = server.state.settings.sessions
    step = settings.idle_timeout_seconds - 60
    elapsed = 0
    while elapsed + step < settings.absolute_lifetime_seconds:
        shift_clock(server, step)
        elapsed += step
        assert (await person.client.get("/api/v1/me")).status_code == 200
    shift_clock(server, settings.absolute_lifetime_seconds - elapsed + 1)
    assert_problem(await person.client.get("/api/v1/me"), 401, "UNAUTHENTICATED")


async def test_sign_out_in_one_process_ends_the_session_in_another(server, start_app):
    """Two API processes share Redis; the second has the session in its local cache."""
    async with start_app(server.state.settings) as other:
        person = await signed_in_user(server)
        use_cookie(other.client, person.cookie)
        assert (await other.client.get("/api/v1/me")).status_code == 200  # now cached locally there
        assert (await person.client.post("/api/v1/auth/sign-out")).status_code == 200
        for _ in range(50):  # the revocation travels over Redis pub/sub
            response = await other.client.get("/api/v1/me")
            if response.status_code == 401:
                break
        assert_problem(response, 401, "UNAUTHENTICATED")


@pytest.mark.timeout(60)
async def test_a_sign_out_during_a_redis_outage_reaches_other_processes_when_it_ends(
    make_settings, migrated_database, tmp_path, start_app
):
    """Process A signs the session out while Redis does not answer; process B still has
    the session cached. When Redis answers again, A sends the revocation it owes."""
    redis = RedisProcess(tmp_path)
    redis.start()
    settings = make_settings(
        database={"url": migrated_database},
        redis={"url": redis.url, "timeout_seconds": 0.1, "retry_after_seconds": 0.2},
        sessions={"local_cache_seconds": 300},  # only a revocation message can clear B's copy
    )
    try:
        async with (
            start_app(settings) as a,
            start_app(settings) as b,
        ):
            person = await signed_in_user(a)
            use_cookie(b.client, person.cookie)
            assert (await b.client.get("/api/v1/me")).status_code == 200  # cached in B

            redis.freeze()
            assert (await person.client.post("/api/v1/auth/sign-out")).status_code == 200
            assert (await b.client.get("/api/v1/me")).status_code == 200  # B cannot know yet
            redis.thaw()
            await asyncio.sleep(0.3)  # past A's back-off window
            await a.bare.get("/api/health")  # A's first Redis call since the outage

            async def b_refuses_the_session() -> bool:
                return (await b.client.get("/api/v1/me")).status_code == 401

            await eventually(b_refuses_the_session, timeout=5)
            assert_problem(await b.client.get("/api/v1/me"), 401, "UNAUTHENTICATED")
    finally:
        redis.stop()


@pytest.mark.parametrize("a_hears_of_it", [True, False], ids=["broadcast-heard", "broadcast-missed"])
async def test_a_lookup_that_read_before_a_sign_out_does_not_cache_the_session_again(
    server, a_hears_of_it, start_app
):
    """Process A reads the session from the database; before it stores what it read,
    process B signs the session out. Redis must not keep the session alive, whether or
    not A heard of the sign-out; A's own cache neither, when it did."""
    async with start_app(server.state.settings) as a:
        store = a.app.ctx.state.sessions
        if not a_hears_of_it:
            a.app.ctx.state.pubsub.stop()

            # the listener notices within its poll interval; nothing outside A can tell
            # when (Redis counts subscribers across every database, other suites' too)
            await asyncio.sleep(1)
        person = await signed_in_user(server)
        use_cookie(a.client, person.cookie)
        session = await AuthSession.get(user_id=person.id)
        shared_key = f"tandem:session:{session.token_hash}"
        read_done, release = asyncio.Event(), asyncio.Event()
        real_read = store._from_database

        async def read_then_wait(token_hash):  # type: ignore[no-untyped-def]
            principal = await real_read(token_hash)
            if not release.is_set():
                read_done.set()
                await release.wait()
            return principal

        store._from_database = read_then_wait
        await server.state.redis.run(lambda client: client.delete(shared_key))
        in_flight = asyncio.create_task(a.client.get("/api/v1/me"))
        await read_done.wait()

        assert (await person.client.post("/api/v1/auth/sign-out")).status_code == 200
        await asyncio.sleep(0.2)  # time for the revocation message to arrive
        release.set()
        await in_flight  # it began before the sign-out: either answer is fair

        assert not await server.state.redis.run(lambda client: client.exists(shared_key))
        assert_problem(await person.client.get("/api/v1/me"), 401, "UNAUTHENTICATED")
        if a_hears_of_it:
            assert_problem(await a.client.get("/api/v1/me"), 401, "UNAUTHENTICATED")


async def test_a_sign_out_while_a_lookup_waits_on_redis_is_not_undone_by_its_touch(server, start_app):
    """A lookup in process A has read the database and is storing the copy in Redis; a
    sign-out lands; the same lookup then records activity (a touch is due). That touch
    must not put the ended session back into A's cache."""
    async with start_app(server.state.settings) as a:
        store = a.app.ctx.state.sessions
        person = await signed_in_user(server)
        use_cookie(a.client, person.cookie)
        session = await AuthSession.get(user_id=person.id)
        await server.state.redis.run(lambda client: client.delete(f"tandem:session:{session.token_hash}"))
        shift_clock(a, store.settings.touch_interval_seconds + 1)  # a touch is due
        storing, release = asyncio.Event(), asyncio.Event()
        real_store = store.cache.store_shared

        async def store_slowly(principal, now):  # type: ignore[no-untyped-def]
            if not release.is_set():
                storing.set()
                await release.wait()
            await real_store(principal, now)

        store.cache.store_shared = store_slowly
        in_flight = asyncio.create_task(a.client.get("/api/v1/me"))
        await storing.wait()

        assert (await person.client.post("/api/v1/auth/sign-out")).status_code == 200
        await asyncio.sleep(0.2)  # the revocation message reaches A
        release.set()
        await in_flight

        assert_problem(await a.client.get("/api/v1/me"), 401, "UNAUTHENTICATED")
