"""Idempotency-Key on creating POSTs (SPEC §1): a retry gets the first response, not a
second creation. The creating route is a test route that records one audit row per run
(no signed-in creating route exists yet besides it)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import Field
from sanic import Sanic
from sanic.response import HTTPResponse

from app.core import responses
from app.core.access import AUTHENTICATED
from app.core.endpoint import endpoint
from app.core.request import TandemRequest
from app.core.schemas import RequestModel, ResponseModel
from middleware.chain import ChainError, build_chain
from models import AuditEvent, IdempotencyRecord
from tests.factories import SignedInUser, signed_in_user, use_cookie
from tests.problems import assert_problem
from tests.waiting import eventually

NOTES = "/api/v1/tests/notes"


class NoteCreate(RequestModel):
    text: str = Field(max_length=40)


class NotePublic(ResponseModel):
    id: uuid.UUID
    text: str


class Notes:
    """The test route's controls: hold the first "hold" request inside the handler until
    released (later ones run through), or fail the next request."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()  # a held request reached the handler
        self.release = asyncio.Event()
        self.fail_next = False

    def prepare(self, app: Sanic) -> None:
        @endpoint(
            AUTHENTICATED,
            body=NoteCreate,
            response=NotePublic,
            status=201,
            summary="Create a note (test route)",
            tag="tests",
        )
        async def tests_create_note(request: TandemRequest, body: NoteCreate) -> HTTPResponse:
            if self.fail_next:
                self.fail_next = False
                raise RuntimeError("the database fell over")
            if body.text == "hold" and not self.entered.is_set():
                self.entered.set()
                await self.release.wait()
            note_id = uuid.uuid4()
            async with request.app.ctx.state.units() as work:
                work.audit("note.created", target=("note", note_id))
            return responses.created(NotePublic(id=note_id, text=body.text), location=f"{NOTES}/{note_id}")

        app.add_route(tests_create_note, NOTES, methods=["POST"], name="tests_create_note")


@pytest.fixture
def notes() -> Notes:
    return Notes()


@pytest.fixture
async def live(settings, start_app, notes: Notes):  # type: ignore[no-untyped-def]
    async with start_app(settings, prepare=notes.prepare) as live:
        yield live


def key_header(key: str | bytes) -> dict[str, str | bytes]:
    return {"Idempotency-Key": key}


async def created_notes() -> int:
    return await AuditEvent.filter(action="note.created").count()


async def test_same_key_twice_creates_once_and_replays_the_first_response(live):
    person = await signed_in_user(live)
    first = await person.client.post(NOTES, json={"text": "hello"}, headers=key_header("key-1"))
    again = await person.client.post(NOTES, json={"text": "hello"}, headers=key_header("key-1"))

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    # the replay is a request of its own: its own request id
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert await created_notes() == 1


async def test_without_a_key_every_post_creates(live):
    person = await signed_in_user(live)
    for _ in range(2):
        assert (await person.client.post(NOTES, json={"text": "hello"})).status_code == 201
    assert await created_notes() == 2
    assert await IdempotencyRecord.all().count() == 0


async def test_same_key_with_another_body_is_422_and_creates_nothing(live):
    person = await signed_in_user(live)
    assert (await person.client.post(NOTES, json={"text": "one"}, headers=key_header("k"))).status_code == 201
    reused = await person.client.post(NOTES, json={"text": "two"}, headers=key_header("k"))
    assert_problem(reused, 422, "IDEMPOTENCY_KEY_REUSED")
    assert await created_notes() == 1


async def test_same_key_in_another_organization_is_422(live):
    person = await signed_in_user(live)
    first = await person.client.post(
        NOTES, json={"text": "one"}, headers={**key_header("k"), "X-Organization-Id": str(uuid.uuid4())}
    )
    assert first.status_code == 201
    elsewhere = await person.client.post(
        NOTES, json={"text": "one"}, headers={**key_header("k"), "X-Organization-Id": str(uuid.uuid4())}
    )
    assert_problem(elsewhere, 422, "IDEMPOTENCY_KEY_REUSED")


async def test_two_requests_at_once_with_one_key_run_once(live, notes: Notes):
    person = await signed_in_user(live)
    first = asyncio.create_task(person.client.post(NOTES, json={"text": "hold"}, headers=key_header("k")))
    await eventually(notes.entered.is_set)
    second = await person.client.post(NOTES, json={"text": "hold"}, headers=key_header("k"))
    assert_problem(second, 409, "IDEMPOTENCY_KEY_IN_USE")
    notes.release.set()
    assert (await first).status_code == 201
    assert await created_notes() == 1


async def test_keys_are_per_user(live):
    ada, bob = await signed_in_user(live), await signed_in_user(live)
    mine = await ada.client.post(NOTES, json={"text": "hello"}, headers=key_header("shared"))
    theirs = await bob.client.post(NOTES, json={"text": "hello"}, headers=key_header("shared"))
    assert mine.status_code == theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert mine.json()["data"]["id"] != theirs.json()["data"]["id"]
    assert await created_notes() == 2


async def test_a_server_error_releases_the_key_so_that_a_retry_runs(live, notes: Notes):
    person = await signed_in_user(live)
    notes.fail_next = True
    failed = await person.client.post(NOTES, json={"text": "hello"}, headers=key_header("k"))
    assert_problem(failed, 500, "INTERNAL_ERROR")
    assert await IdempotencyRecord.all().count() == 0
    retried = await person.client.post(NOTES, json={"text": "hello"}, headers=key_header("k"))
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers
    assert await created_notes() == 1


async def test_a_client_error_is_stored_and_replayed(live):
    person = await signed_in_user(live)
    invalid = {"text": "x" * 41}
    first = await person.client.post(NOTES, json=invalid, headers=key_header("k"))
    assert_problem(first, 400, "VALIDATION_ERROR")
    again = await person.client.post(NOTES, json=invalid, headers=key_header("k"))
    assert again.status_code == 400 and again.content == first.content
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.headers["idempotent-replayed"] == "true"


async def test_a_lapsed_claim_is_taken_over_and_its_late_outcome_is_not_stored(live, notes: Notes):
    person = await signed_in_user(live)
    stuck = asyncio.create_task(person.client.post(NOTES, json={"text": "hold"}, headers=key_header("k")))
    await eventually(notes.entered.is_set)
    # as if the first request's process had died: its claim is past locked_until
    past = datetime.now(UTC) - timedelta(seconds=1)
    assert await IdempotencyRecord.filter(key="k").update(locked_until=past) == 1

    retry = await person.client.post(NOTES, json={"text": "hold"}, headers=key_header("k"))
    assert retry.status_code == 201 and "idempotent-replayed" not in retry.headers
    notes.release.set()  # the stuck request finishes after its claim was taken over
    late = await stuck
    assert late.status_code == 201 and late.json() != retry.json()
    # the record keeps the retry's response: the late finisher lost its claim
    replay = await person.client.post(NOTES, json={"text": "hold"}, headers=key_header("k"))
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == retry.json()


async def test_an_expired_record_counts_as_absent(live):
    person = await signed_in_user(live)
    first = await person.client.post(NOTES, json={"text": "old"}, headers=key_header("k"))
    await IdempotencyRecord.filter(key="k").update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    # a new request under the old key: neither 422 nor a replay
    fresh = await person.client.post(NOTES, json={"text": "new"}, headers=key_header("k"))
    assert fresh.status_code == 201 and "idempotent-replayed" not in fresh.headers
    assert fresh.json()["data"]["id"] != first.json()["data"]["id"]
    assert await IdempotencyRecord.all().count() == 1


async def test_expired_records_are_purged_when_a_key_is_claimed(live):
    person = await signed_in_user(live)
    past = datetime.now(UTC) - timedelta(seconds=1)
    for number in range(3):
        await IdempotencyRecord.create(
            user_id=uuid.uuid4(),
            key=f"old-{number}",
            fingerprint="0" * 64,
            locked_until=past,
            expires_at=past,
        )
    assert (await person.client.post(NOTES, json={"text": "a"}, headers=key_header("new"))).status_code == 201
    assert await IdempotencyRecord.all().values_list("key", flat=True) == ["new"]


@pytest.mark.parametrize(
    "key", ["", "k" * 256, "clé".encode(), b"tab\tinside"], ids=["empty", "too-long", "non-ascii", "control"]
)
async def test_malformed_key_is_400(live, key):
    person = await signed_in_user(live)
    response = await person.client.post(NOTES, json={"text": "hello"}, headers=key_header(key))
    body = assert_problem(response, 400, "VALIDATION_ERROR")
    assert body["errors"][0]["field"] == "Idempotency-Key"
    assert await created_notes() == 0


async def test_longest_key_is_accepted(live):
    person = await signed_in_user(live)
    key = "~ !" + "k" * 252
    assert (await person.client.post(NOTES, json={"text": "a"}, headers=key_header(key))).status_code == 201


async def test_get_and_non_creating_post_ignore_the_key(live):
    person = await signed_in_user(live)
    bad = key_header("k" * 256)  # would be 400 where the key applies
    assert (await person.client.get("/api/v1/me", headers=bad)).status_code == 200
    for _ in range(2):
        revoked = await person.client.post(
            "/api/v1/auth/sessions/revoke-others", json={}, headers=key_header("k")
        )
        assert revoked.status_code == 200 and "idempotent-replayed" not in revoked.headers
    assert (
        await person.client.post("/api/v1/auth/sessions/revoke-others", json={}, headers=bad)
    ).status_code == 200
    assert await IdempotencyRecord.all().count() == 0


async def test_anonymous_creation_ignores_the_key(live):
    """Sign-up has no user to scope the key to: each request is its own."""
    for number in (1, 2):
        body = {"name": "Ada", "nickname": f"ada-{number}", "email": f"ada{number}@example.com"}
        signed_up = await live.client.post(
            "/api/v1/auth/sign-up",
            json={**body, "password": "correct-horse-battery"},
            headers=key_header("k"),
        )
        assert signed_up.status_code == 201 and "idempotent-replayed" not in signed_up.headers
    assert await IdempotencyRecord.all().count() == 0


async def test_unauthenticated_request_claims_nothing(live):
    response = await live.client.post(NOTES, json={"text": "a"}, headers=key_header("k"))
    assert_problem(response, 401, "UNAUTHENTICATED")
    assert await IdempotencyRecord.all().count() == 0


async def test_two_apps_on_one_database_share_the_keys(settings, start_app, notes: Notes):
    other = Notes()
    async with (
        start_app(settings, prepare=notes.prepare) as a,
        start_app(settings, prepare=other.prepare) as b,
    ):
        person = await signed_in_user(a)
        on_b = clone(person, b.url)
        first = await person.client.post(NOTES, json={"text": "hello"}, headers=key_header("k"))
        replay = await on_b.post(NOTES, json={"text": "hello"}, headers=key_header("k"))
        assert replay.headers["idempotent-replayed"] == "true" and replay.content == first.content

        held = asyncio.create_task(person.client.post(NOTES, json={"text": "hold"}, headers=key_header("h")))
        await eventually(notes.entered.is_set)
        busy = await on_b.post(NOTES, json={"text": "hold"}, headers=key_header("h"))
        assert_problem(busy, 409, "IDEMPOTENCY_KEY_IN_USE")
        notes.release.set()
        assert (await held).status_code == 201
        assert await created_notes() == 2
        await on_b.aclose()


def clone(person: SignedInUser, url: str) -> httpx.AsyncClient:
    """The same session, against another server."""
    client = httpx.AsyncClient(base_url=url, headers=dict(person.client.headers), timeout=10)
    use_cookie(client, person.cookie)
    return client


async def test_openapi_lists_the_key_on_signed_in_creating_posts_only(live):
    paths = (await live.bare.get("/api/v1/openapi.json")).json()["paths"]

    def header_names(operation: dict) -> list[str]:
        return [p["name"] for p in operation.get("parameters", ()) if p["in"] == "header"]

    creating = paths[NOTES]["post"]
    assert "Idempotency-Key" in header_names(creating)
    assert "Idempotent-Replayed" in creating["responses"]["201"]["headers"]
    assert "Idempotency-Key" in creating["responses"]["409"]["description"]
    assert "Idempotency-Key" in creating["responses"]["422"]["description"]
    for path, method in [
        ("/api/v1/auth/sign-up", "post"),  # anonymous
        ("/api/v1/me", "get"),
        ("/api/v1/auth/sessions/revoke-others", "post"),  # creates nothing
    ]:
        assert "Idempotency-Key" not in header_names(paths[path][method]), path


@pytest.mark.parametrize(
    ("chain", "complaint"),
    [
        (("request_context", "session", "organization", "idempotency"), "must come after 'rate_limit'"),
        (
            ("request_context", "session", "organization", "rate_limit", "idempotency", "security_headers"),
            "'security_headers' must come before 'idempotency'",
        ),
    ],
    ids=["before-rate-limit", "not-last"],
)
def test_chain_refuses_to_start_with_idempotency_out_of_place(chain, complaint):
    with pytest.raises(ChainError, match=complaint):
        build_chain(chain, state=None)  # type: ignore[arg-type]  # refused before any link is built
