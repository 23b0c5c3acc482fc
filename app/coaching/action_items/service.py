"""Action items (SPEC §6): tasks of a mentorship, assigned to its coach or its teacher,
optionally tied to one of its coaching sessions and one of its goals. Read like the
mentorship (its participants, and Managers and above); written by its current
participants or a Manager while it is active or paused. Never deleted: `cancelled` is
the archive.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from tortoise.expressions import Q, Subquery

from app.coaching.action_items.schemas import (
    ActionItemCreate,
    ActionItemPublic,
    ActionItemQuery,
    ActionItemUpdate,
)
from app.coaching.goals.service import may_read_goal
from app.coaching.participation import may_see_mentorship, mentorship_audience, mentorship_participants
from app.coaching.references import (
    locked_mentorship,
    mentorship_named,
    require_writable,
    unknown_reference,
)
from app.core import errors
from app.core.live_events import publish
from app.core.pagination import Page, Paginator, given_filters
from app.core.policy import Actor, may_contribute_to_mentorship, oversees_coaching
from app.core.scoping import get_scoped_or_404, scoped
from app.core.unit_of_work import UnitOfWork, UnitsOfWork
from models import ActionItem, ActionItemStatus, CoachingSession, Goal, Mentorship

NO_SUCH_ACTION_ITEM = "No such action item"


def public(item: ActionItem) -> ActionItemPublic:
    return ActionItemPublic.model_validate(item)


class ActionItemService:
    """Built at start-up (app.capabilities) with the paginator and the units of work."""

    def __init__(self, *, paginator: Paginator, units: UnitsOfWork) -> None:
        self.paginator = paginator
        self.units = units

    async def create(self, actor: Actor, organization_id: UUID, data: ActionItemCreate) -> ActionItemPublic:
        """422 naming the field for a mentorship, session or goal that is not there to
        name (or not of this mentorship), and for an assignee who is not a participant."""
        async with self.units() as work:
            mentorship = await mentorship_named(actor, organization_id, data.mentorship_id)
            require_writable(mentorship, what="action items are added")
            _authorize(actor, mentorship)
            _require_participant(mentorship, data.assignee_id)
            if data.session_id is not None:
                await _require_session_of(mentorship, data.session_id)
            if data.goal_id is not None:
                await _require_goal_of(actor, mentorship, data.goal_id)
            item = await ActionItem.create(
                organization_id=organization_id,
                mentorship_id=mentorship.id,
                title=data.title,
                assignee_id=data.assignee_id,
                created_by_id=actor.user_id,
                due_at=data.due_at,  # in UTC (app.core.schemas.UtcTime)
                session_id=data.session_id,
                goal_id=data.goal_id,
            )
            fields = ["title", "assignee_id", "due_at", "session_id", "goal_id"]
            result = _changed(work, "action_item.created", item, mentorship, fields)
        return result

    async def list(
        self, actor: Actor, organization_id: UUID, query: ActionItemQuery
    ) -> Page[ActionItemPublic]:
        """Newest first: those of the mentorships the actor takes or took part in, every
        one for Managers and above."""
        items = scoped(ActionItem, organization_id)
        if not oversees_coaching(actor):
            mine = (
                scoped(Mentorship, organization_id)
                .filter(Q(coach_id=actor.user_id) | Q(teacher_id=actor.user_id))
                .values("id")
            )
            items = items.filter(mentorship_id__in=Subquery(mine))
        items, filters = given_filters(
            items, query, ("mentorship_id", "session_id", "goal_id", "status", "assignee_id")
        )
        return await self.paginator.paginate(
            items, query, scope=f"action_items:{organization_id}:{actor.user_id}:{filters}", to_item=public
        )

    async def get(self, actor: Actor, organization_id: UUID, item_id: UUID) -> ActionItemPublic:
        item, _ = await _visible(actor, organization_id, item_id)
        return public(item)

    async def update(
        self, actor: Actor, organization_id: UUID, item_id: UUID, data: ActionItemUpdate
    ) -> ActionItemPublic:
        """`done` sets `completed_at` (reopening clears it); a new assignee must be a participant."""
        changes = data.model_dump(exclude_unset=True)
        async with self.units() as work:
            item, mentorship = await _visible(actor, organization_id, item_id, for_update=True)
            require_writable(mentorship, what="its action items change")
            _authorize(actor, mentorship)
            if "assignee_id" in changes:
                _require_participant(mentorship, changes["assignee_id"])
            changed = _apply(item, changes, datetime.now(UTC))
            if not changed:
                return public(item)
            await item.save(update_fields=[*changed, "updated_at"])
            result = _changed(work, "action_item.updated", item, mentorship, changed)
        return result


async def _visible(
    actor: Actor, organization_id: UUID, item_id: UUID, *, for_update: bool = False
) -> tuple[ActionItem, Mentorship]:
    """The action item and its mentorship when the actor may see the mentorship, else the
    same 404 as a missing one. `for_update`: both locked, the mentorship first
    (references.locked_mentorship), and the item read again under its lock."""
    item = await get_scoped_or_404(ActionItem, organization_id, item_id)
    if for_update:
        mentorship = await locked_mentorship(organization_id, item.mentorship_id)
        item = await get_scoped_or_404(ActionItem, organization_id, item_id, for_update=True)
    else:
        mentorship = await scoped(Mentorship, organization_id).filter(id=item.mentorship_id).first()
    if mentorship is None or not may_see_mentorship(actor, mentorship):
        raise errors.NotFound(NO_SUCH_ACTION_ITEM)
    return item, mentorship


def _authorize(actor: Actor, mentorship: Mentorship) -> None:
    if not may_contribute_to_mentorship(actor, participant_ids=mentorship_participants(mentorship)):
        raise errors.Forbidden(
            "Only the mentorship's coach, its teacher or a Manager writes its action items"
        )


def _require_participant(mentorship: Mentorship, assignee_id: UUID) -> None:
    if assignee_id not in (mentorship.coach_id, mentorship.teacher_id):
        raise unknown_reference("assignee_id", "must be the coach or the teacher of the mentorship")


async def _require_session_of(mentorship: Mentorship, session_id: UUID) -> None:
    """Any of the mentorship's sessions (its participants and Managers see them all); one of
    another mentorship or organization, or none, is the same 422."""
    if not (
        await scoped(CoachingSession, mentorship.organization_id)
        .filter(id=session_id, mentorship_id=mentorship.id)
        .exists()
    ):
        raise unknown_reference("session_id", "no such coaching session in this mentorship")


async def _require_goal_of(actor: Actor, mentorship: Mentorship, goal_id: UUID) -> None:
    """A goal of the mentorship that the actor may read (naming a hidden one tells nothing)."""
    goal = (
        await scoped(Goal, mentorship.organization_id).filter(id=goal_id, mentorship_id=mentorship.id).first()
    )
    if goal is None or not may_read_goal(actor, goal, mentorship):
        raise unknown_reference("goal_id", "no such goal in this mentorship")


def _apply(item: ActionItem, changes: dict[str, Any], now: datetime) -> list[str]:
    changed = [name for name, value in changes.items() if getattr(item, name) != value]
    for name in changed:
        setattr(item, name, changes[name])
    completed_at = now if item.status == ActionItemStatus.DONE else None
    if "status" in changed and item.completed_at != completed_at:
        # the audit names what changed: open → cancelled leaves completed_at null
        item.completed_at = completed_at
        changed.append("completed_at")
    return changed


def _changed(
    work: UnitOfWork, action: str, item: ActionItem, mentorship: Mentorship, fields: list[str]
) -> ActionItemPublic:
    """Audit and publish a change; the event reaches whoever may see the mentorship."""
    work.audit(
        action, target=("action_item", item.id), organization_id=item.organization_id, changed_fields=fields
    )
    result = public(item)
    publish(work, action, item.organization_id, result, audience=mentorship_audience(mentorship))
    return result
