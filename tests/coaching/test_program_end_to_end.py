"""A whole coaching program through the API, as its people would run it (issue 12):
an organization invites a coach and a coachee by email, a Manager pairs them, they
schedule three sessions (one moved, one cancelled), set a goal and action items, the
coachee's calendar app reads the feed, and the coach's app follows it all live."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
from icalendar import Calendar

from tests.events.sse import open_stream
from tests.factories import SignedInUser
from tests.invites.support import INVITE_SUBJECT, accept, invite, verified_user
from tests.mail import token_in

PARIS = ZoneInfo("Europe/Paris")


def at(days: int, hour: int) -> tuple[str, str]:
    """An hour-long slot `days` from now at `hour`:00 in Paris, as RFC 3339 with its offset."""
    local = (datetime.now(PARIS) + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return local.isoformat(), (local + timedelta(hours=1)).isoformat()


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


async def joined(server, inviter: SignedInUser, organization_id: str, role: str, smtp_server) -> SignedInUser:  # type: ignore[no-untyped-def]
    """A new person, invited by email, who follows the emailed link and joins with `role`."""
    person = await verified_user(server)
    await invite(inviter, organization_id, person.email, role)  # type: ignore[arg-type]
    message = await smtp_server.inbox.wait_for(person.email, INVITE_SUBJECT)
    accepted = await accept(person.client, token_in(message))
    assert accepted.status_code == 200, accepted.text
    person.client.headers["X-Organization-Id"] = organization_id
    return person


async def schedule(person: SignedInUser, mentorship_id: str, title: str, days: int, **place: str) -> dict:
    starts_at, ends_at = at(days, 10)
    response = await person.client.post(
        "/api/v1/sessions",
        json={
            "mentorship_id": mentorship_id,
            "title": title,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "timezone": "Europe/Paris",
            **place,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]


async def ok(response: httpx.Response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()["data"]


async def test_a_coaching_program_runs_end_to_end(mail_server, smtp_server):
    server = mail_server
    admin = await verified_user(server)
    created = await admin.client.post("/api/v1/organizations", json={"name": "Acme Coaching"})
    organization_id = (await ok(created, 201))["id"]
    admin.client.headers["X-Organization-Id"] = organization_id

    coach = await joined(server, admin, organization_id, "Coach", smtp_server)
    coachee = await joined(server, admin, organization_id, "Teacher", smtp_server)

    async with open_stream(coach.client) as coach_stream:
        mentorship = await ok(
            await admin.client.post(
                "/api/v1/mentorships", json={"coach_id": coach.id, "teacher_id": coachee.id}
            ),
            201,
        )
        assert mentorship["status"] == "active"
        kickoff = await schedule(coach, mentorship["id"], "Kick-off", 3, location="Room 4")
        review = await schedule(
            coach,
            mentorship["id"],
            "Review",
            10,
            video_provider="zoom",
            video_meeting_id="85746352",
            join_url="https://zoom.us/j/85746352",
        )
        extra = await schedule(coachee, mentorship["id"], "Extra", 17)

        # the kick-off moves to the next day at 14:00 Paris time
        moved_start, moved_end = at(4, 14)
        moved = await ok(
            await coach.client.patch(
                f"/api/v1/sessions/{kickoff['id']}", json={"starts_at": moved_start, "ends_at": moved_end}
            )
        )
        assert utc(moved["starts_at"]) == utc(moved_start) and moved["sequence"] > kickoff["sequence"]
        # the coachee cancels the extra session well outside the notice window
        cancelled = await ok(
            await coachee.client.post(f"/api/v1/sessions/{extra['id']}/cancel", json={"reason": "Holiday"})
        )
        assert cancelled["status"] == "cancelled"

        goal = await ok(
            await coachee.client.post(
                "/api/v1/goals",
                json={
                    "mentorship_id": mentorship["id"],
                    "title": "Lead a team meeting",
                    "target_date": (datetime.now(UTC) + timedelta(days=60)).date().isoformat(),
                },
            ),
            201,
        )
        progressed = await ok(await coach.client.patch(f"/api/v1/goals/{goal['id']}", json={"progress": 40}))
        assert progressed["progress"] == 40 and progressed["owner_id"] == coachee.id
        item = await ok(
            await coach.client.post(
                "/api/v1/action-items",
                json={
                    "mentorship_id": mentorship["id"],
                    "title": "Draft the agenda",
                    "assignee_id": coachee.id,
                    "session_id": review["id"],
                    "goal_id": goal["id"],
                },
            ),
            201,
        )
        done = await ok(
            await coachee.client.patch(f"/api/v1/action-items/{item['id']}", json={"status": "done"})
        )
        assert done["status"] == "done" and done["completed_at"] is not None

        events = [await coach_stream.next() for _ in range(10)]

    # the coach's app saw every change, in order, each carrying the resource as the API returns it
    assert [event.type for event in events] == [
        "mentorship.created",
        "session.scheduled",
        "session.scheduled",
        "session.scheduled",
        "session.rescheduled",
        "session.cancelled",
        "goal.created",
        "goal.updated",
        "action_item.created",
        "action_item.updated",
    ]
    assert [event.data["id"] for event in events] == [
        mentorship["id"],
        kickoff["id"],
        review["id"],
        extra["id"],
        kickoff["id"],
        extra["id"],
        goal["id"],
        goal["id"],
        item["id"],
        item["id"],
    ]
    assert events[4].data == moved and events[9].data == done

    # the lists agree: three sessions, one cancelled; the action item filtered by its goal
    sessions = await coachee.client.get("/api/v1/sessions", params={"mentorship_id": mentorship["id"]})
    assert sorted(row["status"] for row in sessions.json()["data"]) == ["cancelled", "scheduled", "scheduled"]
    by_goal = await coachee.client.get("/api/v1/action-items", params={"goal_id": goal["id"]})
    assert [row["id"] for row in by_goal.json()["data"]] == [item["id"]]

    # the coachee's calendar app reads the feed with nothing but its URL
    feed = await ok(await coachee.client.post("/api/v1/me/calendar-feed"), 201)
    async with httpx.AsyncClient(base_url=server.url) as calendar_app:
        address = urlsplit(feed["url"])  # on the configured public URL; here, the test server
        response = await calendar_app.get(f"{address.path}?{address.query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    vevents = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert set(vevents) == {f"{session['id']}@tandem" for session in (kickoff, review, extra)}
    kickoff_event = vevents[f"{kickoff['id']}@tandem"]
    assert kickoff_event.decoded("DTSTART") == utc(moved_start)
    assert str(kickoff_event["DTSTART"].params["TZID"]) == "Europe/Paris"
    assert int(kickoff_event["SEQUENCE"]) == moved["sequence"]
    assert str(vevents[f"{extra['id']}@tandem"]["STATUS"]) == "CANCELLED"
    assert str(vevents[f"{review['id']}@tandem"]["STATUS"]) == "CONFIRMED"

    # and the organization's audit log holds every change, with who made it
    audit = await admin.client.get(
        f"/api/v1/organizations/{organization_id}/audit-events", params={"limit": 200}
    )
    actions = [row["action"] for row in audit.json()["data"]]
    for action in (
        "mentorship.created",
        "session.scheduled",
        "session.rescheduled",
        "session.cancelled",
        "goal.created",
        "goal.updated",
        "action_item.created",
        "action_item.updated",
    ):
        assert action in actions, f"{action} not audited: {actions}"
