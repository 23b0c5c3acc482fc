"""Session notes (SPEC §6): who writes, who reads which visibility, who hears of them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from uuid import UUID

from app.core.policy import Actor, may_receive
from app.events.bus import Delivered, Listener
from models import AuditEvent, CoachingSession, Mentorship, Organization, OrganizationUser, SessionNote
from models.coaching import MentorshipStatus
from tests.coaching.session_rows import open_mentorship, session_of
from tests.factories import SignedInUser, organization_with, signed_in_user
from tests.problems import assert_problem
from tests.waiting import eventually


@dataclass
class Program:
    organization: Organization
    coach: SignedInUser
    teacher: SignedInUser
    manager: SignedInUser  # not a participant
    other_coach: SignedInUser  # a member who takes no part in this mentorship
    mentorship: Mentorship
    session: CoachingSession

    def notes(self, note_id: object = None) -> str:
        path = f"/api/v1/sessions/{self.session.id}/notes"
        return path if note_id is None else f"{path}/{note_id}"


async def next_heard(listener: Listener) -> Delivered:
    """The next event the listener receives (through Redis it comes after the answer)."""
    await eventually(lambda: bool(listener.pending), timeout=5)
    return listener.pending.popleft()


async def program(server) -> Program:
    coach, teacher, manager, other_coach = [await signed_in_user(server) for _ in range(4)]
    organization = await organization_with(
        (coach.id, "Coach"), (teacher.id, "Teacher"), (manager.id, "Manager"), (other_coach.id, "Coach")
    )
    for person in (coach, teacher, manager, other_coach):
        person.client.headers["X-Organization-Id"] = str(organization.id)
    mentorship = await open_mentorship(organization, coach.id, teacher.id)
    session = await session_of(mentorship)
    return Program(organization, coach, teacher, manager, other_coach, mentorship, session)


def actor(person: SignedInUser, role: str) -> Actor:
    return Actor(UUID(person.id), None, role)


def without_request_id(response) -> tuple[int, dict]:
    body = response.json()
    body.pop("request_id", None)
    return response.status_code, body


async def test_participants_write_and_read_a_session_note(server):
    world = await program(server)

    created = await world.coach.client.post(
        world.notes(), json={"body": "Talked about goals.\nNext: pacing."}
    )

    assert created.status_code == 201, created.text
    note = created.json()["data"]
    assert created.headers["location"] == world.notes(note["id"])
    assert note["visibility"] == "participants"
    assert note["author_id"] == world.coach.id
    assert note["session_id"] == str(world.session.id)
    assert note["mentorship_id"] == str(world.mentorship.id)
    read = await world.teacher.client.get(world.notes(note["id"]))
    assert read.status_code == 200 and read.json()["data"] == note
    listed = await world.teacher.client.get(world.notes())
    assert [item["id"] for item in listed.json()["data"]] == [note["id"]]
    assert listed.json()["meta"]["total_count"] == 1
    audit = await AuditEvent.get(action="session_note.created")
    assert audit.target_id == note["id"] and audit.organization_id == world.organization.id
    assert str(audit.actor_id) == world.coach.id
    assert set(audit.changed_fields) == {"body", "visibility"}


async def test_a_manager_who_is_not_a_participant_cannot_read_a_participants_note_and_does_not_receive_its_event(
    server,
):
    world = await program(server)
    stream = server.state.events.listen(world.organization.id)

    created = await world.coach.client.post(
        world.notes(), json={"body": "Confidential", "visibility": "participants"}
    )
    assert created.status_code == 201, created.text
    note_id = created.json()["data"]["id"]

    hidden = await world.manager.client.get(world.notes(note_id))
    missing = await world.manager.client.get(world.notes(uuid.uuid4()))
    assert_problem(hidden, 404, "NOT_FOUND")
    assert without_request_id(hidden) == without_request_id(missing)
    listed = await world.manager.client.get(world.notes())
    assert listed.status_code == 200 and listed.json()["data"] == []
    delivered = await next_heard(stream)
    assert delivered.event.type == "session_note.created"
    assert delivered.event.data["id"] == note_id
    assert not may_receive(actor(world.manager, "Manager"), delivered.event.audience)
    assert may_receive(actor(world.teacher, "Teacher"), delivered.event.audience)
    assert not may_receive(actor(world.other_coach, "Coach"), delivered.event.audience)


async def test_a_manager_reads_an_organization_note_and_receives_its_event(server):
    world = await program(server)
    stream = server.state.events.listen(world.organization.id)

    created = await world.teacher.client.post(
        world.notes(), json={"body": "Shared", "visibility": "organization"}
    )
    note_id = created.json()["data"]["id"]

    assert (await world.manager.client.get(world.notes(note_id))).status_code == 200
    delivered = await next_heard(stream)
    assert may_receive(actor(world.manager, "Manager"), delivered.event.audience)
    # a coach who takes no part reads neither the session nor its organization notes
    assert not may_receive(actor(world.other_coach, "Coach"), delivered.event.audience)
    assert_problem(await world.other_coach.client.get(world.notes(note_id)), 404, "NOT_FOUND")


async def test_a_private_note_is_readable_only_by_its_author(server):
    world = await program(server)
    stream = server.state.events.listen(world.organization.id)
    created = await world.teacher.client.post(
        world.notes(), json={"body": "Just for me", "visibility": "private"}
    )
    note_id = created.json()["data"]["id"]

    assert (await world.teacher.client.get(world.notes(note_id))).status_code == 200
    for other in (world.coach, world.manager):
        assert_problem(await other.client.get(world.notes(note_id)), 404, "NOT_FOUND")
        assert (await other.client.get(world.notes())).json()["data"] == []
    audience = (await next_heard(stream)).event.audience
    assert may_receive(actor(world.teacher, "Teacher"), audience)
    assert not may_receive(actor(world.coach, "Coach"), audience)
    assert not may_receive(actor(world.manager, "Manager"), audience)


async def test_only_its_author_edits_or_deletes_a_note(server):
    world = await program(server)
    stream = server.state.events.listen(world.organization.id)
    created = await world.coach.client.post(world.notes(), json={"body": "First draft"})
    note_id = created.json()["data"]["id"]
    (await next_heard(stream))

    assert_problem(
        await world.teacher.client.patch(world.notes(note_id), json={"body": "Mine now"}), 403, "FORBIDDEN"
    )
    assert_problem(await world.teacher.client.delete(world.notes(note_id)), 403, "FORBIDDEN")
    changed = await world.coach.client.patch(
        world.notes(note_id), json={"body": "Second draft", "visibility": "organization"}
    )

    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["body"] == "Second draft"
    assert changed.json()["data"]["visibility"] == "organization"
    updated = await next_heard(stream)
    assert updated.event.type == "session_note.updated" and updated.event.data["body"] == "Second draft"
    audit = await AuditEvent.get(action="session_note.updated")
    assert set(audit.changed_fields) == {"body", "visibility"}

    deleted = await world.coach.client.delete(world.notes(note_id))
    assert deleted.status_code == 200 and deleted.json() == {"success": True}
    assert_problem(await world.coach.client.get(world.notes(note_id)), 404, "NOT_FOUND")
    assert not await SessionNote.filter(id=note_id).exists()  # gone, not hidden
    assert (await next_heard(stream)).event.type == "session_note.deleted"
    assert await AuditEvent.filter(action="session_note.deleted", target_id=note_id).exists()


async def test_a_member_who_cannot_see_the_session_is_answered_as_for_a_missing_one(server):
    world = await program(server)

    refused = await world.other_coach.client.post(world.notes(), json={"body": "Hello"})
    missing = await world.other_coach.client.post(
        f"/api/v1/sessions/{uuid.uuid4()}/notes", json={"body": "Hello"}
    )

    assert_problem(refused, 404, "NOT_FOUND")
    assert without_request_id(refused) == without_request_id(missing)
    assert not await SessionNote.exists()


async def test_a_manager_writes_a_note_on_a_session_of_the_organization(server):
    world = await program(server)

    created = await world.manager.client.post(
        world.notes(), json={"body": "Observed", "visibility": "organization"}
    )

    assert created.status_code == 201, created.text
    assert (await world.coach.client.get(world.notes(created.json()["data"]["id"]))).status_code == 200


async def test_once_the_mentorship_has_ended_its_participants_neither_write_nor_read_participants_notes(
    server,
):
    world = await program(server)
    coach_note = (await world.coach.client.post(world.notes(), json={"body": "During"})).json()["data"]["id"]
    await Mentorship.filter(id=world.mentorship.id).update(status=MentorshipStatus.ENDED.value)

    assert_problem(await world.teacher.client.post(world.notes(), json={"body": "After"}), 403, "FORBIDDEN")
    assert_problem(await world.teacher.client.get(world.notes(coach_note)), 404, "NOT_FOUND")
    # the author keeps their own words
    assert (await world.coach.client.get(world.notes(coach_note))).status_code == 200


async def test_a_note_is_not_reached_through_another_session(server):
    world = await program(server)
    other_session = await session_of(world.mentorship, title="Another")
    note_id = (await world.coach.client.post(world.notes(), json={"body": "Here"})).json()["data"]["id"]

    through_other = await world.coach.client.get(f"/api/v1/sessions/{other_session.id}/notes/{note_id}")

    assert_problem(through_other, 404, "NOT_FOUND")


async def test_a_note_body_out_of_bounds_is_refused(server):
    world = await program(server)

    for body in (
        {"body": "x" * 20_001},
        {"body": "nul\x00byte"},
        {"body": "   "},
        {"body": "fine", "visibility": "everyone"},
        {"body": "fine", "author_id": world.teacher.id},
    ):
        assert_problem(await world.coach.client.post(world.notes(), json=body), 400, "VALIDATION_ERROR")
    note_id = (await world.coach.client.post(world.notes(), json={"body": "ok"})).json()["data"]["id"]
    assert_problem(
        await world.coach.client.patch(world.notes(note_id), json={"body": None}), 400, "VALIDATION_ERROR"
    )
    assert await SessionNote.filter(author_id=world.coach.id).count() == 1


# -- attacks (red team) -------------------------------------------------------------------


async def test_a_session_of_another_organization_is_refused_to_a_member_of_both(server):
    """A Manager of organization B who is a Teacher (no participant) in A: switching
    X-Organization-Id reaches A's session neither as B's Manager nor as A's Teacher."""
    world = await program(server)
    note_id = (
        await world.coach.client.post(world.notes(), json={"body": "A's", "visibility": "organization"})
    ).json()["data"]["id"]
    person = await signed_in_user(server)
    other = await organization_with((person.id, "Manager"))
    await OrganizationUser.create(
        organization=world.organization, user_id=person.id, role_in_organization="Teacher"
    )

    for organization in (other, world.organization):
        person.client.headers["X-Organization-Id"] = str(organization.id)
        assert_problem(await person.client.get(world.notes()), 404, "NOT_FOUND")
        assert_problem(await person.client.get(world.notes(note_id)), 404, "NOT_FOUND")
        assert_problem(await person.client.post(world.notes(), json={"body": "x"}), 404, "NOT_FOUND")
        assert_problem(await person.client.patch(world.notes(note_id), json={"body": "x"}), 404, "NOT_FOUND")
        assert_problem(await person.client.delete(world.notes(note_id)), 404, "NOT_FOUND")
    # the coach acting in an organization they are not a member of: the organization's 404
    world.coach.client.headers["X-Organization-Id"] = str(other.id)
    assert_problem(await world.coach.client.get(world.notes(note_id)), 404, "NOT_FOUND")
    assert (await SessionNote.get(id=note_id)).body == "A's"


async def test_changing_a_note_through_another_session_is_refused(server):
    world = await program(server)
    other_session = await session_of(world.mentorship, title="Another")
    note_id = (await world.coach.client.post(world.notes(), json={"body": "Here"})).json()["data"]["id"]
    path = f"/api/v1/sessions/{other_session.id}/notes/{note_id}"

    assert_problem(await world.coach.client.patch(path, json={"body": "moved"}), 404, "NOT_FOUND")
    assert_problem(await world.coach.client.delete(path), 404, "NOT_FOUND")

    note = await SessionNote.get(id=note_id)
    assert note.body == "Here" and note.session_id == world.session.id


async def test_mass_assigning_a_notes_author_session_or_organization_is_refused(server):
    world = await program(server)
    other_session = await session_of(world.mentorship, title="Another")
    note_id = (await world.coach.client.post(world.notes(), json={"body": "Mine"})).json()["data"]["id"]

    for field, value in (
        ("author_id", world.teacher.id),
        ("session_id", str(other_session.id)),
        ("mentorship_id", str(uuid.uuid4())),
        ("organization_id", str(uuid.uuid4())),
        ("id", str(uuid.uuid4())),
        ("created_at", "2020-01-01T00:00:00Z"),
    ):
        refused = await world.coach.client.patch(world.notes(note_id), json={"body": "x", field: value})
        assert_problem(refused, 400, "VALIDATION_ERROR")
        assert_problem(
            await world.coach.client.post(world.notes(), json={"body": "x", field: value}),
            400,
            "VALIDATION_ERROR",
        )
    note = await SessionNote.get(id=note_id)
    assert (note.body, str(note.author_id), note.session_id) == ("Mine", world.coach.id, world.session.id)
    assert await SessionNote.all().count() == 1


async def test_a_list_counts_no_note_its_reader_may_not_read(server):
    world = await program(server)
    for author, visibility in (
        (world.coach, "private"),
        (world.coach, "participants"),
        (world.teacher, "private"),
        (world.teacher, "organization"),
        (world.manager, "private"),
        (world.manager, "participants"),
    ):
        created = await author.client.post(world.notes(), json={"body": "n", "visibility": visibility})
        assert created.status_code == 201, created.text

    async def seen(person: SignedInUser) -> tuple[int, int]:
        listed = (await person.client.get(world.notes(), params={"limit": 1})).json()
        # walk every page: the total must match what the reader can reach
        count, cursor = len(listed["data"]), listed["meta"]["next_cursor"]
        while cursor:
            page = (await person.client.get(world.notes(), params={"limit": 1, "cursor": cursor})).json()
            count, cursor = count + len(page["data"]), page["meta"]["next_cursor"]
        return listed["meta"]["total_count"], count

    assert await seen(world.coach) == (
        4,
        4,
    )  # own 2, the teacher's organization one, the manager's participants one
    assert await seen(world.teacher) == (4, 4)
    assert await seen(world.manager) == (3, 3)  # own 2, the organization one
    await Mentorship.filter(id=world.mentorship.id).update(status=MentorshipStatus.ENDED.value)
    assert await seen(world.coach) == (2, 2)
    assert await seen(world.teacher) == (2, 2)


async def test_a_cursor_of_another_session_or_a_tampered_one_is_refused(server):
    world = await program(server)
    other_session = await session_of(world.mentorship, title="Another")
    for _ in range(2):
        await world.coach.client.post(world.notes(), json={"body": "n"})
    cursor = (await world.coach.client.get(world.notes(), params={"limit": 1})).json()["meta"]["next_cursor"]
    assert cursor

    borrowed = await world.coach.client.get(
        f"/api/v1/sessions/{other_session.id}/notes", params={"cursor": cursor}
    )
    tampered = await world.coach.client.get(world.notes(), params={"cursor": cursor[:-2] + "xx"})

    assert_problem(borrowed, 400, "INVALID_CURSOR")
    assert_problem(tampered, 400, "INVALID_CURSOR")


async def test_a_note_body_too_large_for_the_server_or_with_a_lone_surrogate_is_refused(server):
    world = await program(server)
    raw_surrogate = b'{"body": "half \\ud800 a pair"}'

    surrogate = await world.coach.client.post(
        world.notes(), content=raw_surrogate, headers={"Content-Type": "application/json"}
    )
    huge = await world.coach.client.post(world.notes(), json={"body": "x" * 3_000_000})
    controls = await world.coach.client.post(world.notes(), json={"body": "bell\x07 esc\x1b[31m red\u202e"})

    assert surrogate.status_code == 400, surrogate.text  # orjson refuses it as JSON
    assert_problem(huge, 413, "PAYLOAD_TOO_LARGE")
    # plain text others read in an app, never in a terminal or an email: stored as written
    assert controls.status_code == 201, controls.text
    assert await SessionNote.all().count() == 1


async def test_narrowing_a_note_to_private_is_not_heard_by_those_who_could_read_it(server):
    world = await program(server)
    stream = server.state.events.listen(world.organization.id)
    note_id = (
        await world.coach.client.post(world.notes(), json={"body": "shared", "visibility": "organization"})
    ).json()["data"]["id"]
    (await next_heard(stream))

    changed = await world.coach.client.patch(
        world.notes(note_id), json={"body": "now secret", "visibility": "private"}
    )

    assert changed.status_code == 200, changed.text
    audience = (await next_heard(stream)).event.audience
    assert may_receive(actor(world.coach, "Coach"), audience)
    assert not may_receive(actor(world.teacher, "Teacher"), audience)
    assert not may_receive(actor(world.manager, "Manager"), audience)
