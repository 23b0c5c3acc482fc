"""Goals under a mount (app.core.mount), SPEC §6. They act in the organization of
`X-Organization-Id` (else the user's current one); rules: docs/coaching.md."""

from __future__ import annotations

from uuid import UUID

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.coaching.acting import acting_organization
from app.coaching.goals.schemas import GoalCreate, GoalPublic, GoalQuery, GoalUpdate
from app.coaching.goals.service import GoalService
from app.core import responses
from app.core.access import ORG_MEMBER
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.request import TandemRequest

GOAL = "/<goal_id:uuid>"
WRITE_PROBLEMS = {
    403: "Not a participant of the mentorship nor a Manager; or a visibility change by another than the owner",
    422: "The mentorship is not active or paused",
}


def blueprint(mount: Mount, *, goals: GoalService) -> Blueprint:
    """Handlers use the service given here, built once at start-up (app.capabilities)."""
    bp = mount.blueprint("goals", url_prefix="/goals")

    @bp.post("")
    @endpoint(
        ORG_MEMBER,
        body=GoalCreate,
        response=GoalPublic,
        status=201,
        problems={
            403: "Not a participant of the mentorship nor a Manager",
            422: "No such mentorship (missing, elsewhere or hidden), or it is not active or paused",
        },
        summary="Set a goal in a mentorship (owned by its teacher)",
        tag="goals",
        operation_id="goals_create",
        description="By the mentorship's teacher or coach, or a Manager; the owner is always "
        "the teacher. Visibility defaults to `participants`.",
    )
    async def create_goal(request: TandemRequest, body: GoalCreate) -> HTTPResponse:
        goal = await goals.create(request.actor, acting_organization(request), body)
        return responses.created(goal, location=mount.path(f"/goals/{goal.id}"))

    @bp.get("")
    @endpoint(
        ORG_MEMBER,
        query=GoalQuery,
        response=GoalPublic,
        listing=True,
        summary="Goals I may read, newest first",
        tag="goals",
        operation_id="goals_list",
    )
    async def list_goals(request: TandemRequest, query: GoalQuery) -> HTTPResponse:
        return responses.listing(await goals.list(request.actor, acting_organization(request), query))

    @bp.get(GOAL)
    @endpoint(ORG_MEMBER, response=GoalPublic, summary="One goal", tag="goals", operation_id="goals_get")
    async def get_goal(request: TandemRequest, goal_id: UUID) -> HTTPResponse:
        return responses.ok(await goals.get(request.actor, acting_organization(request), goal_id))

    @bp.patch(GOAL)
    @endpoint(
        ORG_MEMBER,
        body=GoalUpdate,
        response=GoalPublic,
        problems=WRITE_PROBLEMS,
        summary="Change a goal",
        tag="goals",
        operation_id="goals_update",
        description="Only the owner changes `visibility`. `status: archived` archives it like DELETE.",
    )
    async def update_goal(request: TandemRequest, goal_id: UUID, body: GoalUpdate) -> HTTPResponse:
        return responses.ok(await goals.update(request.actor, acting_organization(request), goal_id, body))

    @bp.delete(GOAL)
    @endpoint(
        ORG_MEMBER,
        response=GoalPublic,
        problems=WRITE_PROBLEMS,
        summary="Archive a goal (goals are kept: history matters)",
        tag="goals",
        operation_id="goals_archive",
        description="Sets `status` to `archived` and `archived_at`; answers the archived goal.",
    )
    async def archive_goal(request: TandemRequest, goal_id: UUID) -> HTTPResponse:
        return responses.ok(await goals.archive(request.actor, acting_organization(request), goal_id))

    return bp
