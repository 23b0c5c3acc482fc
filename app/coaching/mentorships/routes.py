"""Mentorships under a mount (app.core.mount), SPEC §6. They act in the organization of
`X-Organization-Id` (else the user's current one); rules: docs/coaching.md."""

from __future__ import annotations

from uuid import UUID

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.coaching.acting import acting_organization
from app.coaching.mentorships.schemas import (
    MentorshipCreate,
    MentorshipPublic,
    MentorshipQuery,
    MentorshipUpdate,
)
from app.coaching.mentorships.service import MentorshipService
from app.core import responses
from app.core.access import ORG_MEMBER
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.request import TandemRequest

MENTORSHIP = "/<mentorship_id:uuid>"


def blueprint(mount: Mount, *, mentorships: MentorshipService) -> Blueprint:
    """Handlers use the service given here, built once at start-up (app.capabilities)."""
    bp = mount.blueprint("mentorships", url_prefix="/mentorships")

    @bp.post("")
    @endpoint(
        ORG_MEMBER,
        body=MentorshipCreate,
        response=MentorshipPublic,
        status=201,
        problems={
            403: "A Teacher, or a Coach proposing a mentorship for another coach",
            409: "The coach and teacher have an open (not ended) mentorship already",
            422: "The coach or the teacher is not an active member with that role",
        },
        summary="Create a mentorship (Manager+), or propose one as its coach",
        tag="mentorships",
        operation_id="mentorships_create",
        description="From a Manager or above it is `active` at once; a Coach may propose one with "
        "themselves as `coach_id`, which stays `pending` until the teacher accepts it.",
    )
    async def create_mentorship(request: TandemRequest, body: MentorshipCreate) -> HTTPResponse:
        mentorship = await mentorships.create(request.actor, acting_organization(request), body)
        return responses.created(mentorship, location=mount.path(f"/mentorships/{mentorship.id}"))

    @bp.get("")
    @endpoint(
        ORG_MEMBER,
        query=MentorshipQuery,
        response=MentorshipPublic,
        listing=True,
        summary="Mentorships, newest first",
        tag="mentorships",
        operation_id="mentorships_list",
        description="Coaches and teachers see their own; Managers and above every one.",
    )
    async def list_mentorships(request: TandemRequest, query: MentorshipQuery) -> HTTPResponse:
        return responses.listing(await mentorships.list(request.actor, acting_organization(request), query))

    @bp.get(MENTORSHIP)
    @endpoint(
        ORG_MEMBER,
        response=MentorshipPublic,
        summary="One mentorship",
        tag="mentorships",
        operation_id="mentorships_get",
    )
    async def get_mentorship(request: TandemRequest, mentorship_id: UUID) -> HTTPResponse:
        return responses.ok(await mentorships.get(request.actor, acting_organization(request), mentorship_id))

    @bp.patch(MENTORSHIP)
    @endpoint(
        ORG_MEMBER,
        body=MentorshipUpdate,
        response=MentorshipPublic,
        problems={
            403: "Accepting is the teacher's; other changes are a participant's (or a Manager's)",
            422: "The status cannot follow the current one (the answer names those that can)",
        },
        summary="Change a mentorship's status: accept, pause, resume or end it",
        tag="mentorships",
        operation_id="mentorships_update",
        description="pending → active (the teacher accepts) or ended (declined, withdrawn); "
        "active → paused or ended; paused → active or ended. Ending needs `end_reason`; the "
        "former participants then no longer read its `participants` goals and notes.",
    )
    async def update_mentorship(
        request: TandemRequest, mentorship_id: UUID, body: MentorshipUpdate
    ) -> HTTPResponse:
        organization_id = acting_organization(request)
        return responses.ok(
            await mentorships.change_status(request.actor, organization_id, mentorship_id, body)
        )

    return bp
