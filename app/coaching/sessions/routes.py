"""Coaching sessions under a mount (app.core.mount), SPEC §6: /sessions in the organization
of X-Organization-Id (else the user's current one). Rules: docs/coaching.md."""

from __future__ import annotations

from uuid import UUID

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.coaching.acting import acting_organization
from app.coaching.sessions import transitions
from app.coaching.sessions.schemas import (
    CoachingSessionPublic,
    NoFields,
    SessionCancel,
    SessionCreate,
    SessionQuery,
    SessionUpdate,
)
from app.coaching.sessions.service import SessionService
from app.core import responses
from app.core.access import ORG_MEMBER
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.request import TandemRequest

SESSIONS = "/sessions"
SESSION = SESSIONS + "/<session_id:uuid>"
NOT_VISIBLE = "The session does not exist, is in another organization, or is not mine to see"


def blueprint(mount: Mount, *, sessions: SessionService) -> Blueprint:
    """Handlers use the service given here, built once at start-up (app.capabilities)."""
    bp = mount.blueprint("coaching_sessions")

    @bp.post(SESSIONS)
    @endpoint(
        ORG_MEMBER,
        body=SessionCreate,
        response=CoachingSessionPublic,
        status=201,
        problems={
            404: "No such mentorship (or not mine to see)",
            409: "The coach or the teacher has a session then (`conflicting_session_id` names it "
            "when I may see it)",
            422: "Mentorship not active, length out of bounds, in the past or too far ahead, "
            "or more occurrences than allowed",
        },
        summary="Schedule a coaching session, or a weekly or biweekly series",
        tag="coaching_sessions",
        operation_id="coaching_sessions_create",
        description="By the mentorship's coach or teacher, or a Manager. A series is created "
        "whole or not at all; the answer is its first occurrence (list the others with "
        "`series_id`). Each occurrence keeps the local time of the first in `timezone`.",
    )
    async def create_session(request: TandemRequest, body: SessionCreate) -> HTTPResponse:
        session = await sessions.schedule(request.actor, acting_organization(request), body)
        return responses.created(session, location=mount.path(f"/sessions/{session.id}"))

    @bp.get(SESSIONS)
    @endpoint(
        ORG_MEMBER,
        query=SessionQuery,
        response=CoachingSessionPublic,
        listing=True,
        summary="Coaching sessions: mine, or the organization's for a Manager",
        tag="coaching_sessions",
        operation_id="coaching_sessions_list",
        description="`from`/`to`: sessions overlapping [from, to). Newest first unless `sort`.",
    )
    async def list_sessions(request: TandemRequest, query: SessionQuery) -> HTTPResponse:
        page = await sessions.list(request.actor, acting_organization(request), query)
        return responses.listing_rows(page)

    @bp.get(SESSION)
    @endpoint(
        ORG_MEMBER,
        response=CoachingSessionPublic,
        problems={404: NOT_VISIBLE},
        summary="One coaching session",
        tag="coaching_sessions",
        operation_id="coaching_sessions_get",
    )
    async def get_session(request: TandemRequest, session_id: UUID) -> HTTPResponse:
        return responses.ok(await sessions.get(request.actor, acting_organization(request), session_id))

    @bp.patch(SESSION)
    @endpoint(
        ORG_MEMBER,
        body=SessionUpdate,
        response=CoachingSessionPublic,
        problems={
            404: NOT_VISIBLE,
            409: "The new time overlaps another session of the coach or the teacher",
            422: "Not scheduled, or inside the notice window (a teacher; a coach or Manager "
            "without a reason)",
        },
        summary="Reschedule or edit a coaching session",
        tag="coaching_sessions",
        operation_id="coaching_sessions_update",
        description="Moving only `starts_at` keeps the length. `sequence` rises.",
    )
    async def update_session(request: TandemRequest, session_id: UUID, body: SessionUpdate) -> HTTPResponse:
        return responses.ok(
            await sessions.update(request.actor, acting_organization(request), session_id, body)
        )

    @bp.post(SESSION + "/cancel")
    @endpoint(
        ORG_MEMBER,
        body=SessionCancel,
        response=CoachingSessionPublic,
        problems={
            404: NOT_VISIBLE,
            422: "Not scheduled, or inside the notice window (a teacher; a coach or Manager "
            "without a reason)",
        },
        summary="Cancel a coaching session (or it and the rest of its series)",
        tag="coaching_sessions",
        operation_id="coaching_sessions_cancel",
        description="A cancelled session stays readable; its time is free again.",
    )
    async def cancel_session(request: TandemRequest, session_id: UUID, body: SessionCancel) -> HTTPResponse:
        return responses.ok(
            await sessions.cancel(request.actor, acting_organization(request), session_id, body)
        )

    def run(transition: transitions.Transition, summary: str) -> None:
        @bp.post(f"{SESSION}/{transition.action}", name=f"{transition.action.replace('-', '_')}_session")
        @endpoint(
            ORG_MEMBER,
            body=NoFields,
            response=CoachingSessionPublic,
            problems={
                403: "Not the coach nor a Manager",
                404: NOT_VISIBLE,
                422: "Not allowed from the session's status",
            },
            summary=summary,
            tag="coaching_sessions",
            operation_id=f"coaching_sessions_{transition.action.replace('-', '_')}",
        )
        async def handler(request: TandemRequest, session_id: UUID, body: NoFields) -> HTTPResponse:
            session = await sessions.run(request.actor, acting_organization(request), session_id, transition)
            return responses.ok(session)

    run(transitions.START, "Start a scheduled session")
    run(transitions.COMPLETE, "Complete a session in progress")
    run(transitions.NO_SHOW, "Mark a session as a no-show")
    return bp
