"""A unit of work runs its effects once it commits, never after a rollback (app/core/unit_of_work.py)."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest
from tortoise.transactions import in_transaction

from app.auth import session_effects
from app.core.session_effects import refresh_user
from app.core.unit_of_work import EffectKind, NestedInBareTransaction, UnitsOfWork
from models import User
from tests.factories import signed_in_user
from tests.waiting import eventually

# a kind of effect the app does not know: units are open to new kinds (audit rows, events)
RECORD: EffectKind[str] = EffectKind("record, for a test")
FAIL: EffectKind[str] = EffectKind("fail, for a test")
SLOW: EffectKind[str] = EffectKind("slow, for a test")


@pytest.fixture
def recorded(server) -> list[tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    """What RECORD's handler ran with, in the server's units of work; FAIL's handler raises."""
    runs: list[tuple[str, list[str]]] = []

    async def record(items: list[str]) -> None:
        runs.append(("record", items))

    def fail(items: list[str]) -> None:
        runs.append(("fail", items))
        raise RuntimeError("the effect failed")

    server.state.units.handle(RECORD, record)
    server.state.units.handle(FAIL, fail)
    return runs


async def test_effects_run_once_the_unit_commits_not_before(server, recorded):
    async with server.state.units() as work:
        user = await User.create(
            name="Ada", nickname="ada-uow", email="ada-uow@example.com", password_hash="x"
        )
        work.add(RECORD, "created")
        assert recorded == []

    assert recorded == [("record", ["created"])]
    assert await User.filter(id=user.id).exists()


async def test_no_effect_runs_after_a_rollback(server, recorded):
    with pytest.raises(RuntimeError):
        async with server.state.units() as work:
            await User.create(name="Bo", nickname="bo-uow", email="bo-uow@example.com", password_hash="x")
            work.add(RECORD, "created")
            raise RuntimeError("the change failed")

    assert recorded == []
    assert not await User.filter(nickname="bo-uow").exists()


async def test_each_kind_runs_once_with_its_distinct_items_in_the_order_first_added(server, recorded):
    async with server.state.units() as work:
        work.add(RECORD, "a", "b")
        work.add(RECORD, "a", "c")

    assert recorded == [("record", ["a", "b", "c"])]


async def test_a_failing_effect_is_logged_and_the_others_still_run(server, recorded, caplog):
    with caplog.at_level(logging.ERROR, logger="tandem.unit_of_work"):
        async with server.state.units() as work:
            work.add(FAIL, "first")
            work.add(RECORD, "second")

    assert recorded == [("fail", ["first"]), ("record", ["second"])]
    (failure,) = caplog.records
    assert "fail, for a test" in failure.getMessage() and failure.exc_info is not None


async def test_a_nested_unit_hands_its_effects_to_the_outer_commit(server, recorded):
    units = server.state.units
    async with units() as outer:
        async with units() as inner:
            inner.add(RECORD, "inner")
        assert recorded == []  # the inner commit is a savepoint: nothing is committed yet
        with pytest.raises(RuntimeError):
            async with units() as rolled_back:
                rolled_back.add(RECORD, "rolled back")
                raise RuntimeError("only the inner part fails")
        outer.add(RECORD, "outer")

    assert recorded == [("record", ["inner", "outer"])]


async def test_a_unit_inside_a_bare_transaction_is_refused(server, recorded):
    # its effects would run at the savepoint, before the real commit
    with pytest.raises(NestedInBareTransaction):
        async with in_transaction(), server.state.units():
            pass


async def test_an_effect_nobody_handles_fails_at_the_change_not_silently_after_it(server):
    with pytest.raises(LookupError, match="record, for a test"):
        async with UnitsOfWork()() as work:
            work.add(RECORD, "lost")


async def test_a_committed_change_refreshes_the_session_snapshot(server):
    person = await signed_in_user(server)
    assert (await person.client.get("/api/v1/me")).json()["data"]["name"] != "Renamed"  # cached now

    async with server.state.units() as work:
        await User.filter(id=person.id).update(name="Renamed")
        refresh_user(work, uuid.UUID(person.id))

    assert (await person.client.get("/api/v1/me")).json()["data"]["name"] == "Renamed"


async def test_a_rolled_back_revocation_leaves_the_session_working(server):
    person = await signed_in_user(server)
    assert (await person.client.get("/api/v1/me")).status_code == 200

    with pytest.raises(RuntimeError):
        async with server.state.units() as work:
            await session_effects.revoke_all(work, server.state.sessions, uuid.UUID(person.id))
            raise RuntimeError("the change that revoked them failed")

    assert (await person.client.get("/api/v1/me")).status_code == 200
    async with server.state.units() as work:
        assert await session_effects.revoke_all(work, server.state.sessions, uuid.UUID(person.id)) == 1
    assert (await person.client.get("/api/v1/me")).status_code == 401


async def test_a_client_gone_after_the_commit_cannot_save_its_revoked_sessions(server):
    """Sanic cancels a handler's task when its client disconnects. Once the change has
    committed, its effects must still run to the end, or the revoked sessions live on in
    the caches (here: the stolen session, still usable after "sign out everywhere")."""
    person = await signed_in_user(server)
    assert (await person.client.get("/api/v1/me")).status_code == 200  # cached now
    effects_under_way, go_on = asyncio.Event(), asyncio.Event()

    async def slow(items: list[str]) -> None:
        effects_under_way.set()
        await go_on.wait()

    server.state.units.handle(SLOW, slow)

    async def sign_out_everywhere() -> None:
        async with server.state.units() as work:
            work.add(SLOW, "runs first")
            await session_effects.revoke_all(work, server.state.sessions, uuid.UUID(person.id))

    request = asyncio.create_task(sign_out_everywhere())
    await effects_under_way.wait()  # committed; the effects have begun
    request.cancel()  # the client went away
    go_on.set()
    with pytest.raises(asyncio.CancelledError):
        await request

    async def revoked() -> bool:
        return (await person.client.get("/api/v1/me")).status_code == 401

    await eventually(revoked, timeout=5)
