"""Attacks on GET /events (SPEC §7): forged replay ids, forged frames, a clock that steps
back, a role lowered mid-stream, coaching content reaching whoever is not its audience,
and memory kept past the replay window. Each on a real stream of a real server."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from uuid import UUID

import time_machine

from app.core.live_events import Audience, publish
from models.coaching import Visibility
from tests.coaching.mentorship_support import goal_of, mentorship_of, person_in, program
from tests.events.sse import open_stream
from tests.events.test_stream import admin_of_new_organization, member_of
from tests.factories import PASSWORD, organization_with, sign_up, signed_in_with_global_role
from tests.invites.support import invite
from tests.problems import assert_problem

# Arabic-Indic digits: Unicode decimal digits that Python's `\d` and int() accept
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def recent_id_in_arabic_digits() -> str:
    return f"{int(time.time() * 1000) - 60_000}-0".translate(ARABIC_INDIC)


async def test_a_last_event_id_in_non_ascii_digits_is_refused_or_ignored_never_a_broken_stream(server):
    admin, organization = await admin_of_new_organization(server)
    await invite(admin, organization, "earlier@example.com")
    forged = recent_id_in_arabic_digits()

    async with open_stream(admin.client, headers={"Last-Event-ID": forged.encode()}) as stream:
        # Redis refused such an id, and the gateway took that for Redis down: every event
        # of the process was dropped for a while, this one among them
        assert server.state.redis is not None and not server.state.redis.is_down
        live = await invite(admin, organization, "live@example.com")
        assert (await stream.next()).data["id"] == live["id"]

    in_query = await admin.client.get("/api/v1/events", params={"last_event_id": forged})
    assert_problem(in_query, 400, "VALIDATION_ERROR")


async def test_newlines_in_event_data_cannot_forge_another_event(server):
    admin, organization = await admin_of_new_organization(server)
    forged = 'x"\n\nid: 9999999999999-0\nevent: member.removed\ndata: {"forged": true}\n\n'
    async with open_stream(admin.client) as stream:
        async with server.state.units() as work:
            publish(work, "goal.created", organization.id, {"title": forged}, audience=Audience.members())
        made = await invite(admin, organization, "after@example.com")
        first, second = await stream.next(), await stream.next()

    assert (first.type, first.data) == ("goal.created", {"title": forged})
    assert (second.type, second.data["id"]) == ("invite.created", made["id"])


async def test_a_wall_clock_stepping_back_does_not_hide_later_events_on_the_embedded_bus(
    make_settings, migrated_database, start_app
):
    settings = make_settings(database={"url": migrated_database})  # no Redis: the embedded bus
    async with start_app(settings) as server:
        admin, organization = await admin_of_new_organization(server)
        async with open_stream(admin.client) as stream:
            await invite(admin, organization, "before@example.com")
            before = await stream.next()
            # the host's clock is put back a minute (NTP, a VM resumed): ids must still rise
            with time_machine.travel(datetime.now(UTC) - timedelta(minutes=1), tick=True):
                after = await invite(admin, organization, "after@example.com")
                heard = await stream.next(timeout=2)
        assert heard.data["id"] == after["id"]
        assert heard.id != before.id


async def test_replay_memory_of_the_embedded_bus_is_dropped_past_the_replay_window(
    make_settings, migrated_database, start_app
):
    settings = make_settings(database={"url": migrated_database}, events={"replay_seconds": 60})
    async with start_app(settings) as server:
        admin, organization = await admin_of_new_organization(server)
        other_admin, other = await admin_of_new_organization(server)
        await invite(admin, organization, "old@example.com")
        bus = server.state.events
        assert organization.id in bus._recent
        with time_machine.travel(datetime.now(UTC) + timedelta(minutes=5), tick=True):
            await invite(other_admin, other, "new@example.com")
            # the idle organization's events are past the window: nothing may replay them,
            # so nothing keeps them (an embedded process must not grow with every organization)
            assert organization.id not in bus._recent
            assert len(bus._recent[other.id]) == 1


async def test_a_manager_demoted_to_teacher_mid_stream_no_longer_receives_invites(server):
    admin, organization = await admin_of_new_organization(server)
    manager = await member_of(server, organization, "Manager")
    async with open_stream(manager.client) as stream:
        await invite(admin, organization, "seen@example.com")
        assert (await stream.next()).type == "invite.created"
        demoted = await admin.client.patch(
            f"/api/v1/organizations/{organization.id}/members/{manager.id}", json={"role": "Teacher"}
        )
        assert demoted.status_code == 200, demoted.text
        await invite(admin, organization, "hidden@example.com")
        renamed = await admin.client.patch(f"/api/v1/organizations/{organization.id}", json={"name": "N"})
        assert renamed.status_code == 200, renamed.text
        updated, then = await stream.next(), await stream.next()

    assert updated.type == "member.updated" and updated.data["role_in_organization"] == "Teacher"
    assert then.type == "organization.updated"  # the invite between them never reached a Teacher


async def test_replay_after_a_role_was_lowered_is_judged_by_the_current_role(server):
    admin, organization = await admin_of_new_organization(server)
    manager = await member_of(server, organization, "Manager")
    async with open_stream(manager.client) as stream:
        await invite(admin, organization, "seen@example.com")
        seen = await stream.next()
    await invite(admin, organization, "missed@example.com")
    demoted = await admin.client.patch(
        f"/api/v1/organizations/{organization.id}/members/{manager.id}", json={"role": "Teacher"}
    )
    assert demoted.status_code == 200, demoted.text

    async with open_stream(manager.client, headers={"Last-Event-ID": seen.id}) as stream:
        replayed = await stream.silence(0.5)

    assert [event.type for event in replayed] == ["member.updated"]


async def test_participants_coaching_content_never_reaches_another_coach_a_manager_or_a_platform_admin(
    server,
):
    p = await program(server)
    mentorship = await mentorship_of(p)
    other_coach = await person_in(server, p.organization, "Coach")
    admin = await signed_in_with_global_role(server, "PlatformAdmin")
    admin.client.headers["X-Organization-Id"] = str(p.organization.id)
    async with (
        open_stream(p.coach.client) as coaches,
        open_stream(p.manager.client) as managers,
        open_stream(other_coach.client) as others,
        open_stream(admin.client) as admins,
    ):
        hidden = await goal_of(p.teacher, mentorship)  # participants, the default
        shown = await goal_of(p.teacher, mentorship, visibility="organization")
        async with server.state.units() as work:
            publish(
                work,
                "session_note.created",
                p.organization.id,
                {"body": "participants only"},
                audience=Audience.coaching(
                    Visibility.PARTICIPANTS, participant_ids=[UUID(p.coach.id), UUID(p.teacher.id)]
                ),
            )

        coach_saw = [await coaches.next() for _ in range(3)]
        manager_saw = await managers.silence(0.5)
        admin_saw = await admins.silence(0.2)
        other_saw = await others.silence(0.2)

    assert [event.type for event in coach_saw] == ["goal.created", "goal.created", "session_note.created"]
    assert coach_saw[0].data["id"] == hidden["id"]
    # Managers and global admins read `organization` content only; another coach none of it
    assert [event.data["id"] for event in manager_saw] == [shown["id"]]
    assert [event.data["id"] for event in admin_saw] == [shown["id"]]
    assert other_saw == []


async def test_a_bearer_token_that_expires_mid_stream_ends_the_stream_at_the_next_heartbeat(
    events_settings, start_app
):
    async with start_app(events_settings(heartbeat_seconds=0.2)) as server:
        user = await sign_up(server.client)
        signed_in = await server.client.post(
            "/api/v1/auth/sign-in", json={"email": user["email"], "password": PASSWORD, "token": True}
        )
        token = signed_in.json()["data"]["access_token"]
        organization = await organization_with((user["id"], "OrganizationAdmin"))
        headers = {"Authorization": f"Bearer {token}", "X-Organization-Id": str(organization.id)}
        async with open_stream(server.client, headers=headers) as stream:
            assert await stream.silence(0.3) == []
            store = server.state.sessions
            real = store.clock
            store.clock = lambda: real() + server.state.settings.sessions.access_token_seconds + 1
            assert await stream.events_until_end(timeout=2) == []
