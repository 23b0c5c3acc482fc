"""Audit entries are rows written by the unit of work in its own transaction (app/core/audit.py):
they commit with the change or vanish with it, and name who acted, from where, under
which request id."""

from __future__ import annotations

import uuid
from typing import Literal

import pytest
from sanic import Sanic
from sanic.response import HTTPResponse

from app.core import responses
from app.core.access import AUTHENTICATED
from app.core.endpoint import endpoint
from app.core.request import TandemRequest
from app.core.schemas import RequestModel
from models import AuditEvent, User
from tests.factories import signed_in_user

OTHER_ACTOR = uuid.uuid4()
ORGANIZATION = uuid.uuid4()


async def test_an_entry_is_written_when_the_unit_commits(server):
    async with server.state.units() as work:
        work.audit(
            "member.role_changed",
            target=("user", 42),
            organization_id=ORGANIZATION,
            changed_fields=["role", "email", "role"],
        )
        assert await AuditEvent.all().count() == 0  # at commit, not before
    row = await AuditEvent.get(action="member.role_changed")
    assert (row.target_type, row.target_id, row.organization_id) == ("user", "42", ORGANIZATION)
    # names, sorted, each once
    assert row.changed_fields == ["email", "role"]
    # outside a request: nobody acted, no request id, no address
    assert (row.actor_id, row.request_id, row.client_ip) == (None, None, None)


async def test_an_entry_vanishes_with_a_rolled_back_change(server):
    with pytest.raises(RuntimeError):
        async with server.state.units() as work:
            user = await User.create(
                name="Ada", nickname="ada-audit", email="ada-audit@example.com", password_hash="x"
            )
            work.audit("user.created", target=("user", user.id))
            raise RuntimeError("the change failed")
    assert await AuditEvent.all().count() == 0
    assert await User.filter(nickname="ada-audit").count() == 0


async def test_a_nested_unit_hands_its_entries_to_the_outer_one(server):
    async with server.state.units() as outer:
        outer.audit("outer.done", target=("thing", 1))
        async with server.state.units() as inner:
            inner.audit("inner.done", target=("thing", 2))
        assert await AuditEvent.all().count() == 0  # the inner unit wrote nothing itself
    assert sorted(await AuditEvent.all().values_list("action", flat=True)) == ["inner.done", "outer.done"]


async def test_a_nested_units_entries_vanish_when_the_outer_one_rolls_back(server):
    with pytest.raises(RuntimeError):
        async with server.state.units():
            async with server.state.units() as inner:
                inner.audit("inner.done", target=("thing", 2))
            raise RuntimeError("the outer change failed")
    assert await AuditEvent.all().count() == 0


async def test_actor_id_names_who_acted_when_given(server):
    async with server.state.units() as work:
        work.audit("user.signed_in", target=("user", OTHER_ACTOR), actor_id=OTHER_ACTOR)
    assert (await AuditEvent.get(action="user.signed_in")).actor_id == OTHER_ACTOR


class AuditCase(RequestModel):
    actor: Literal["request", "system", "other"]


def audit_route(app: Sanic) -> None:
    @endpoint(AUTHENTICATED, body=AuditCase, summary="Record an audit entry (test route)", tag="tests")
    async def tests_audit(request: TandemRequest, body: AuditCase) -> HTTPResponse:
        actor = {"request": {}, "system": {"actor_id": None}, "other": {"actor_id": OTHER_ACTOR}}[body.actor]
        async with request.app.ctx.state.units() as work:
            work.audit(f"test.{body.actor}", target=("thing", "t-1"), changed_fields=["b", "a"], **actor)
        return responses.success()

    app.add_route(tests_audit, "/api/v1/tests/audit", methods=["POST"], name="tests_audit")


@pytest.fixture
async def live(settings, start_app):  # type: ignore[no-untyped-def]
    async with start_app(settings, prepare=audit_route) as live:
        yield live


@pytest.mark.parametrize("actor", ["request", "system", "other"])
async def test_an_entry_made_in_a_request_names_its_user_request_id_and_address(live, actor):
    person = await signed_in_user(live)
    response = await person.client.post(
        "/api/v1/tests/audit", json={"actor": actor}, headers={"X-Request-ID": "audit-request-1"}
    )
    assert response.status_code == 200, response.text
    row = await AuditEvent.get(action=f"test.{actor}")
    expected_actor = {"request": uuid.UUID(person.id), "system": None, "other": OTHER_ACTOR}[actor]
    assert row.actor_id == expected_actor
    assert row.request_id == "audit-request-1"
    assert row.client_ip == "127.0.0.1"
    assert row.changed_fields == ["a", "b"]
