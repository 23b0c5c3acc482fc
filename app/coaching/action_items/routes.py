"""Action items under a mount (app.core.mount), SPEC §6. They act in the organization of
`X-Organization-Id` (else the user's current one); rules: docs/coaching.md."""

from __future__ import annotations

from uuid import UUID

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.coaching.acting import acting_organization
from app.coaching.action_items.schemas import (
    ActionItemCreate,
    ActionItemPublic,
    ActionItemQuery,
    ActionItemUpdate,
)
from app.coaching.action_items.service import ActionItemService
from app.core import responses
from app.core.access import ORG_MEMBER
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.request import TandemRequest

ACTION_ITEM = "/<action_item_id:uuid>"


def blueprint(mount: Mount, *, action_items: ActionItemService) -> Blueprint:
    """Handlers use the service given here, built once at start-up (app.capabilities)."""
    bp = mount.blueprint("action_items", url_prefix="/action-items")

    @bp.post("")
    @endpoint(
        ORG_MEMBER,
        body=ActionItemCreate,
        response=ActionItemPublic,
        status=201,
        problems={
            403: "Not a participant of the mentorship nor a Manager",
            422: "No such mentorship, session or goal (of this mentorship), the assignee is not a "
            "participant, or the mentorship is not active or paused",
        },
        summary="Add an action item to a mentorship",
        tag="action_items",
        operation_id="action_items_create",
    )
    async def create_action_item(request: TandemRequest, body: ActionItemCreate) -> HTTPResponse:
        item = await action_items.create(request.actor, acting_organization(request), body)
        return responses.created(item, location=mount.path(f"/action-items/{item.id}"))

    @bp.get("")
    @endpoint(
        ORG_MEMBER,
        query=ActionItemQuery,
        response=ActionItemPublic,
        listing=True,
        summary="Action items, newest first",
        tag="action_items",
        operation_id="action_items_list",
        description="Those of my mentorships; Managers and above see every one.",
    )
    async def list_action_items(request: TandemRequest, query: ActionItemQuery) -> HTTPResponse:
        return responses.listing(await action_items.list(request.actor, acting_organization(request), query))

    @bp.get(ACTION_ITEM)
    @endpoint(
        ORG_MEMBER,
        response=ActionItemPublic,
        summary="One action item",
        tag="action_items",
        operation_id="action_items_get",
    )
    async def get_action_item(request: TandemRequest, action_item_id: UUID) -> HTTPResponse:
        return responses.ok(
            await action_items.get(request.actor, acting_organization(request), action_item_id)
        )

    @bp.patch(ACTION_ITEM)
    @endpoint(
        ORG_MEMBER,
        body=ActionItemUpdate,
        response=ActionItemPublic,
        problems={
            403: "Not a participant of the mentorship nor a Manager",
            422: "The assignee is not a participant, or the mentorship is not active or paused",
        },
        summary="Change an action item: mark it done, cancel it, reassign it",
        tag="action_items",
        operation_id="action_items_update",
        description="`done` sets `completed_at`. There is no DELETE: `cancelled` is the archive.",
    )
    async def update_action_item(
        request: TandemRequest, action_item_id: UUID, body: ActionItemUpdate
    ) -> HTTPResponse:
        organization_id = acting_organization(request)
        return responses.ok(await action_items.update(request.actor, organization_id, action_item_id, body))

    return bp
