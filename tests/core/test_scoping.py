"""Organization-owned rows are only queried through app/core/scoping.py, which filters by
the acting organization: another organization's row is as missing as a row that never
existed (SPEC §1)."""

from __future__ import annotations

import ast
import uuid
from datetime import UTC, datetime, timedelta

import pytest

import models
from app.core import errors
from app.core.problems import problem_response
from app.core.scoping import get_scoped_or_404, scoped, unscoped
from models import Invite
from models.base import OrganizationOwnedModel
from tests.core.sources import modules

ALLOWED = {"app/core/scoping.py"}
# class-level query methods of a Tortoise model (and what its QuerySet adds)
QUERY_METHODS = {
    "all",
    "annotate",
    "bulk_update",
    "count",
    "delete",
    "distinct",
    "exclude",
    "exists",
    "filter",
    "first",
    "get",
    "get_or_create",
    "get_or_none",
    "in_bulk",
    "order_by",
    "raw",
    "select_for_update",
    "update",
    "update_or_create",
    "values",
    "values_list",
}


def owned_models() -> set[str]:
    """Names of every concrete model that belongs to an organization."""
    assert models.__all__  # the models are imported, so their classes exist
    found: set[str] = set()
    pending = list(OrganizationOwnedModel.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if not model._meta.abstract:
            found.add(model.__name__)
    return found


def violations(tree: ast.AST, owned: set[str]) -> list[str]:
    """`Invite.filter(...)`, `models.Invite.get(...)`: a query that skips the scope."""
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        target = node.func.value
        name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
        if name in owned and node.func.attr in QUERY_METHODS:
            found.append(f"line {node.lineno}: {name}.{node.func.attr}(...)")
    return found


def test_invite_is_organization_owned():
    assert "Invite" in owned_models()


def test_no_module_queries_an_organization_owned_model_directly():
    owned = owned_models()
    offenders = [
        f"{path} {violation}"
        for path, tree in modules()
        if path not in ALLOWED
        for violation in violations(tree, owned)
    ]
    assert offenders == [], "use app.core.scoping (scoped, get_scoped_or_404, unscoped):\n" + "\n".join(
        offenders
    )


@pytest.mark.parametrize(
    "snippet",
    [
        "await Invite.filter(email=email).first()",
        "await Invite.get(id=invite_id)",
        "await Invite.get_or_none(token_hash=digest)",
        "await models.Invite.all().delete()",
        "await Invite.select_for_update().filter(id=x)",
        "await Invite.exists(id=x)",
        "await Invite.filter(id=x).update(status='revoked')",
    ],
)
def test_the_scan_finds_a_planted_direct_query(snippet):
    assert violations(ast.parse(snippet), owned_models())


def test_the_scan_lets_scoped_queries_and_creation_pass():
    fine = (
        "await scoped(Invite, organization_id).filter(status='pending')\n"
        "await get_scoped_or_404(Invite, organization_id, invite_id)\n"
        "await unscoped(Invite, reason='the emailed token is the proof').get_or_none(token_hash=h)\n"
        "await Invite.create(organization_id=organization_id, email=email)\n"
        "await invite.delete()\n"
        "await User.filter(id=user_id).first()\n"
    )
    assert violations(ast.parse(fine), owned_models()) == []


async def invite(organization_id: uuid.UUID) -> Invite:
    return await Invite.create(
        organization_id=organization_id,
        email=f"{uuid.uuid4().hex[:8]}@example.com",
        role="Teacher",
        token_hash=uuid.uuid4().hex,
        expires_at=datetime.now(UTC) + timedelta(days=7),
    )


async def not_found(organization_id: uuid.UUID, row_id: object) -> errors.NotFound:
    with pytest.raises(errors.NotFound) as raised:
        await get_scoped_or_404(Invite, organization_id, row_id)  # type: ignore[arg-type]
    return raised.value


async def test_another_organizations_row_is_the_same_404_as_a_missing_or_malformed_id(server):
    ours, theirs = uuid.uuid4(), uuid.uuid4()
    mine, foreign = await invite(ours), await invite(theirs)

    assert (await get_scoped_or_404(Invite, ours, mine.id)).id == mine.id
    async with server.state.units():
        assert (await get_scoped_or_404(Invite, ours, str(mine.id), for_update=True)).id == mine.id
        with pytest.raises(errors.NotFound):
            await get_scoped_or_404(Invite, ours, foreign.id, for_update=True)
    refusals = [
        await not_found(ours, foreign.id),
        await not_found(ours, uuid.uuid4()),
        await not_found(ours, "not-a-uuid"),
    ]
    bodies = {problem_response(error, "request-1").body for error in refusals}
    assert len(bodies) == 1
    assert b"No such invite" in bodies.pop()


async def test_scoped_lists_only_the_organizations_rows(server):
    ours, theirs = uuid.uuid4(), uuid.uuid4()
    mine, foreign = await invite(ours), await invite(theirs)
    assert [row.id for row in await scoped(Invite, ours)] == [mine.id]
    everyone = {row.id for row in await unscoped(Invite, reason="a test of both organizations")}
    assert everyone == {mine.id, foreign.id}


def test_unscoped_needs_a_reason():
    with pytest.raises(ValueError):
        unscoped(Invite, reason=" ")
