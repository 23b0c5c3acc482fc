"""GET /events: what a member sees on a real Server-Sent Events stream (Redis fan-out, as
`server` runs with Redis; tests/events/test_in_process.py runs the embedded default)."""

from __future__ import annotations

from uuid import UUID

from app.core.live_events import Audience, publish
from app.core.scoping import unscoped
from app.core.tokens import hash_token
from models import Invite
from models.coaching import Visibility
from tests.events.sse import open_stream
from tests.factories import organization_with, signed_in_user
from tests.invites.support import invite, invites_path, move_time_on, verified_user
from tests.problems import assert_problem

KNOWN_TOKEN = "k" * 43  # an invite token's shape


async def admin_of_new_organization(server):  # type: ignore[no-untyped-def]
    admin = await signed_in_user(server)
    organization = await organization_with((admin.id, "OrganizationAdmin"))
    admin.client.headers["X-Organization-Id"] = str(organization.id)
    return admin, organization


async def member_of(server, organization, role: str):  # type: ignore[no-untyped-def]
    person = await signed_in_user(server)
    await organization_with()  # another organization exists beside it
    from models import OrganizationUser

    await OrganizationUser.create(organization=organization, user_id=person.id, role_in_organization=role)
    person.client.headers["X-Organization-Id"] = str(organization.id)
    return person


def order(event_id: str) -> tuple[int, int]:
    millis, sequence = event_id.split("-")
    return int(millis), int(sequence)


async def test_changes_arrive_in_order_with_id_type_and_the_resource_as_the_api_returns_it(server):
    admin, organization = await admin_of_new_organization(server)
    async with open_stream(admin.client) as stream:
        created = await invite(admin, organization, "one@example.com")
        revoked = await admin.client.delete(f"{invites_path(organization)}/{created['id']}")
        assert revoked.status_code == 200, revoked.text
        renamed = await admin.client.patch(
            f"/api/v1/organizations/{organization.id}", json={"name": "Renamed"}
        )
        assert renamed.status_code == 200, renamed.text

        events = [await stream.next() for _ in range(3)]

    assert stream.retry == 3000
    assert [event.type for event in events] == ["invite.created", "invite.revoked", "organization.updated"]
    assert [event.data for event in events] == [created, revoked.json()["data"], renamed.json()["data"]]
    ids = [order(event.id) for event in events]
    assert ids == sorted(ids) and len(set(ids)) == 3


async def test_accepting_an_invite_tells_managers_and_every_member_who_joined(server):
    admin, organization = await admin_of_new_organization(server)
    teacher = await member_of(server, organization, "Teacher")
    invitee = await verified_user(server)
    made = await invite(admin, organization, invitee.email, role="Coach")
    await (
        unscoped(Invite, reason="the test knows the token")
        .filter(id=made["id"])
        .update(token_hash=hash_token(KNOWN_TOKEN))
    )
    async with open_stream(admin.client) as admins, open_stream(teacher.client) as teachers:
        accepted = await invitee.client.post("/api/v1/invites/accept", json={"token": KNOWN_TOKEN})
        assert accepted.status_code == 200, accepted.text

        admin_saw = [await admins.next(), await admins.next()]
        teacher_saw = await teachers.next()

    assert [event.type for event in admin_saw] == ["invite.accepted", "member.joined"]
    assert admin_saw[0].data["accepted_by_id"] == invitee.id
    # invites are for Managers and above: the Teacher hears only of the new member
    assert teacher_saw.type == "member.joined"
    listed = await admin.client.get(
        f"/api/v1/organizations/{organization.id}/members", params={"role": "Coach"}
    )
    member = listed.json()["data"][0]
    # the member as listed, without the email (only Managers see members' emails)
    assert teacher_saw.data == {**member, "email": None}


async def test_a_manager_who_is_not_a_participant_does_not_receive_a_participants_only_event(server):
    _, organization = await admin_of_new_organization(server)
    manager = await member_of(server, organization, "Manager")
    coach = await member_of(server, organization, "Coach")
    async with open_stream(manager.client) as managers, open_stream(coach.client) as coaches:
        async with server.state.units() as work:
            publish(
                work,
                "session_note.created",
                organization.id,
                {"body": "private words"},
                audience=Audience.coaching(Visibility.PARTICIPANTS, participant_ids=[UUID(coach.id)]),
            )
        async with server.state.units() as work:
            publish(work, "goal.created", organization.id, {"title": "for all"}, audience=Audience.members())

        coach_saw = [await coaches.next(), await coaches.next()]
        manager_saw = await managers.next()

    assert [event.type for event in coach_saw] == ["session_note.created", "goal.created"]
    assert manager_saw.type == "goal.created"  # the note's event was never written to the Manager


async def test_a_role_change_applies_to_the_events_delivered_after_it(server):
    admin, organization = await admin_of_new_organization(server)
    teacher = await member_of(server, organization, "Teacher")
    async with open_stream(teacher.client) as stream:
        await invite(admin, organization, "before@example.com")  # not for a Teacher
        promoted = await admin.client.patch(
            f"/api/v1/organizations/{organization.id}/members/{teacher.id}", json={"role": "Manager"}
        )
        assert promoted.status_code == 200, promoted.text
        after = await invite(admin, organization, "after@example.com")

        updated, invited = await stream.next(), await stream.next()

    assert updated.type == "member.updated" and updated.data["role_in_organization"] == "Manager"
    assert invited.type == "invite.created" and invited.data["id"] == after["id"]


async def test_last_event_id_replays_what_was_missed_then_goes_live_without_repeating(server):
    admin, organization = await admin_of_new_organization(server)
    async with open_stream(admin.client) as stream:
        await invite(admin, organization, "seen@example.com")
        seen = await stream.next()
    missed = [await invite(admin, organization, f"missed{n}@example.com") for n in range(2)]

    async with open_stream(admin.client, headers={"Last-Event-ID": seen.id}) as stream:
        replayed = [await stream.next(), await stream.next()]
        live = await invite(admin, organization, "live@example.com")
        after = await stream.next()
        assert await stream.silence(0.3) == []  # nothing twice

    assert [event.data["id"] for event in replayed] == [made["id"] for made in missed]
    assert after.data["id"] == live["id"]
    assert order(seen.id) < order(replayed[0].id) < order(replayed[1].id) < order(after.id)


async def test_an_eventsource_polyfill_may_send_the_last_event_id_as_a_query_parameter(server):
    admin, organization = await admin_of_new_organization(server)
    async with open_stream(admin.client) as stream:
        await invite(admin, organization, "seen@example.com")
        seen = await stream.next()
    missed = await invite(admin, organization, "missed@example.com")

    async with open_stream(admin.client, params={"last_event_id": seen.id}) as stream:
        assert (await stream.next()).data["id"] == missed["id"]

    malformed = await admin.client.get("/api/v1/events", params={"last_event_id": "not-an-id"})
    assert_problem(malformed, 400, "VALIDATION_ERROR")


async def test_forged_last_event_id_is_harmless(server):
    admin, organization = await admin_of_new_organization(server)
    await invite(admin, organization, "earlier@example.com")
    forgeries = ("0-0 event: injected", "'; DROP", "99999999999999-0", "1-" + "9" * 20)
    for forged in forgeries:
        async with open_stream(admin.client, headers={"Last-Event-ID": forged}) as stream:
            # nothing replayed (a future id or garbage), and live events still arrive
            live = await invite(admin, organization, f"live{len(forged)}@example.com")
            event = await stream.next()
            assert event.data["id"] == live["id"], forged
    # the oldest id there can be: the replay window of my own organization, each event once
    async with open_stream(admin.client, headers={"Last-Event-ID": "0-0"}) as stream:
        replayed = await stream.silence(0.5)
    assert [event.data["email"] for event in replayed] == [
        "earlier@example.com",
        *(f"live{len(forged)}@example.com" for forged in forgeries),
    ]


async def test_last_event_id_from_another_organization_replays_nothing_foreign(server):
    admin, organization = await admin_of_new_organization(server)
    other_admin, other = await admin_of_new_organization(server)
    async with open_stream(other_admin.client) as stream:
        await invite(other_admin, other, "first@example.com")
        foreign_id = (await stream.next()).id
        await invite(other_admin, other, "secret@example.com")
        await stream.next()
    mine = await invite(admin, organization, "mine@example.com")

    async with open_stream(admin.client, headers={"Last-Event-ID": foreign_id}) as stream:
        replayed = await stream.silence(0.5)

    assert [event.data["id"] for event in replayed] == [mine["id"]]


async def test_the_events_of_another_organization_never_reach_my_stream(server):
    admin, _ = await admin_of_new_organization(server)
    other_admin, other = await admin_of_new_organization(server)
    async with open_stream(admin.client) as stream:
        await invite(other_admin, other, "elsewhere@example.com")
        assert await stream.silence(0.4) == []


async def test_a_foreign_organization_in_the_header_is_404_and_opens_no_stream(server):
    admin, _ = await admin_of_new_organization(server)
    _, other = await admin_of_new_organization(server)

    foreign = await admin.client.get("/api/v1/events", headers={"X-Organization-Id": str(other.id)})
    missing = await admin.client.get(
        "/api/v1/events", headers={"X-Organization-Id": "00000000-0000-0000-0000-000000000000"}
    )

    assert_problem(foreign, 404, "NOT_FOUND")
    assert foreign.json()["detail"] == missing.json()["detail"]
    assert server.state.event_streams.open_count == 0


async def test_an_anonymous_caller_gets_401_and_no_stream(server):
    response = await server.client.get("/api/v1/events")
    assert_problem(response, 401, "UNAUTHENTICATED")


async def test_head_answers_the_headers_of_the_stream_without_holding_it(server):
    admin, _ = await admin_of_new_organization(server)
    response = await admin.client.head("/api/v1/events")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert server.state.event_streams.open_count == 0


async def test_an_invite_replaced_or_sent_again_is_announced(server):
    admin, organization = await admin_of_new_organization(server)
    async with open_stream(admin.client) as stream:
        first = await invite(admin, organization, "again@example.com")
        await move_time_on("again@example.com", 120)  # past the interval between invite emails
        second = await invite(admin, organization, "again@example.com")
        await move_time_on("again@example.com", 120)
        resent = await admin.client.post(f"{invites_path(organization)}/{second['id']}/resend", json={})
        assert resent.status_code == 200, resent.text

        events = [await stream.next() for _ in range(4)]

    assert [(event.type, event.data["id"]) for event in events] == [
        ("invite.created", first["id"]),
        ("invite.replaced", first["id"]),
        ("invite.created", second["id"]),
        ("invite.resent", second["id"]),
    ]
    assert events[1].data["status"] == "replaced"
    assert events[3].data == resent.json()["data"]
