"""Goals (SPEC §6): owned by the teacher of a mentorship, written by its participants (or a
Manager), read as their visibility allows (app.core.policy.may_read, the owner being the
author), and archived rather than deleted: history matters.

A goal is written while its mentorship is active or paused; once the mentorship has
ended its goals are kept as they were (and its `participants` goals are left to their
owner: app/coaching/participation.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from tortoise.expressions import Q, Subquery

from app.coaching.goals.schemas import GoalCreate, GoalPublic, GoalQuery, GoalUpdate
from app.coaching.participation import content_audience, mentorship_participants
from app.coaching.references import locked_mentorship, mentorship_named, require_writable
from app.core import errors
from app.core.live_events import publish
from app.core.pagination import Page, Paginator, given_filters
from app.core.policy import (
    Actor,
    may_change_goal_visibility,
    may_contribute_to_mentorship,
    may_read,
    oversees_coaching,
)
from app.core.scoping import get_scoped_or_404, scoped
from app.core.unit_of_work import UnitOfWork, UnitsOfWork
from models import Goal, GoalStatus, Mentorship, MentorshipStatus
from models.coaching import Visibility

NO_SUCH_GOAL = "No such goal"


def public(goal: Goal) -> GoalPublic:
    return GoalPublic.model_validate(goal)


def may_read_goal(actor: Actor, goal: Goal, mentorship: Mentorship) -> bool:
    return may_read(
        actor,
        visibility=Visibility(goal.visibility),
        author_id=goal.owner_id,
        participant_ids=mentorship_participants(mentorship),
    )


async def readable_goal(
    actor: Actor, organization_id: UUID, goal_id: UUID | str, *, for_update: bool = False
) -> tuple[Goal, Mentorship]:
    """The goal and its mentorship if the actor may read it, else the same 404 as a missing
    one. `for_update`: both locked, the mentorship first (references.locked_mentorship), and
    the goal read again under its lock."""
    goal = await get_scoped_or_404(Goal, organization_id, goal_id)
    if for_update:
        mentorship = await locked_mentorship(organization_id, goal.mentorship_id)
        goal = await get_scoped_or_404(Goal, organization_id, goal_id, for_update=True)
    else:
        mentorship = await scoped(Mentorship, organization_id).filter(id=goal.mentorship_id).first()
    if mentorship is None or not may_read_goal(actor, goal, mentorship):
        raise errors.NotFound(NO_SUCH_GOAL)
    return goal, mentorship


class GoalService:
    """Built at start-up (app.capabilities) with the paginator and the units of work."""

    def __init__(self, *, paginator: Paginator, units: UnitsOfWork) -> None:
        self.paginator = paginator
        self.units = units

    async def create(self, actor: Actor, organization_id: UUID, data: GoalCreate) -> GoalPublic:
        """By the mentorship's teacher or coach, or a Manager; the owner is always the teacher.
        An unknown, foreign or hidden mentorship is a 422 naming `mentorship_id`."""
        async with self.units() as work:
            mentorship = await mentorship_named(actor, organization_id, data.mentorship_id)
            require_writable(mentorship, what="goals are set")
            if not may_contribute_to_mentorship(actor, participant_ids=mentorship_participants(mentorship)):
                raise errors.Forbidden("Only the mentorship's coach, its teacher or a Manager sets its goals")
            goal = await Goal.create(
                organization_id=organization_id,
                mentorship_id=mentorship.id,
                owner_id=mentorship.teacher_id,
                created_by_id=actor.user_id,
                title=data.title,
                description=data.description,
                target_date=data.target_date,
                progress=data.progress,
                visibility=data.visibility,
            )
            fields = ["title", "description", "target_date", "progress", "visibility"]
            result = self._changed(work, "goal.created", goal, mentorship, fields)
        return result

    async def list(self, actor: Actor, organization_id: UUID, query: GoalQuery) -> Page[GoalPublic]:
        """The goals the actor may read (the same rule as reading one, as a query), newest first."""
        goals = scoped(Goal, organization_id).filter(_readable_by(actor, organization_id))
        goals, filters = given_filters(goals, query, ("mentorship_id", "status", "owner_id"))
        return await self.paginator.paginate(
            goals,
            query,
            scope=f"goals:{organization_id}:{actor.user_id}:{filters}",
            to_item=public,
        )

    async def get(self, actor: Actor, organization_id: UUID, goal_id: UUID) -> GoalPublic:
        goal, _ = await readable_goal(actor, organization_id, goal_id)
        return public(goal)

    async def update(
        self, actor: Actor, organization_id: UUID, goal_id: UUID, data: GoalUpdate
    ) -> GoalPublic:
        """Participants (and Managers who may read it) edit; only the owner changes the
        visibility (403). Archiving through `status` is the same as DELETE."""
        changes = data.model_dump(exclude_unset=True)
        async with self.units() as work:
            goal, mentorship = await self._writable(actor, organization_id, goal_id)
            new_visibility = changes.get("visibility", goal.visibility)
            if new_visibility != goal.visibility and not may_change_goal_visibility(
                actor, owner_id=goal.owner_id
            ):
                raise errors.Forbidden("Only the goal's owner changes who may read it")
            changed = _apply(goal, changes, datetime.now(UTC))
            if not changed:
                return public(goal)
            await goal.save(update_fields=[*changed, "updated_at"])
            archived = "status" in changed and goal.status == GoalStatus.ARCHIVED
            result = self._changed(
                work, "goal.archived" if archived else "goal.updated", goal, mentorship, changed
            )
        return result

    async def archive(self, actor: Actor, organization_id: UUID, goal_id: UUID) -> GoalPublic:
        """DELETE: the goal is archived, never removed; an archived one is returned as it is."""
        return await self.update(actor, organization_id, goal_id, GoalUpdate(status="archived"))

    async def _writable(self, actor: Actor, organization_id: UUID, goal_id: UUID) -> tuple[Goal, Mentorship]:
        """The goal, locked, when the actor may read and edit it (404, 422 when its mentorship
        is not active or paused, 403)."""
        goal, mentorship = await readable_goal(actor, organization_id, goal_id, for_update=True)
        require_writable(mentorship, what="its goals change")
        participants = mentorship_participants(mentorship)
        is_owner = goal.owner_id == actor.user_id
        if not is_owner and not may_contribute_to_mentorship(actor, participant_ids=participants):
            raise errors.Forbidden("Only the mentorship's coach, its teacher or a Manager edits its goals")
        return goal, mentorship

    def _changed(
        self, work: UnitOfWork, action: str, goal: Goal, mentorship: Mentorship, fields: list[str]
    ) -> GoalPublic:
        """Audit and publish a change of `goal`; its event reaches whoever may read it."""
        work.audit(
            action, target=("goal", goal.id), organization_id=goal.organization_id, changed_fields=fields
        )
        result = public(goal)
        audience = content_audience(mentorship, Visibility(goal.visibility), author_id=goal.owner_id)
        publish(work, action, goal.organization_id, result, audience=audience)
        return result


def _apply(goal: Goal, changes: dict[str, Any], now: datetime) -> list[str]:
    """Set what differs; returns the names of the fields changed (the times a status sets too)."""
    changed = [name for name, value in changes.items() if getattr(goal, name) != value]
    for name in changed:
        setattr(goal, name, changes[name])
    if "status" in changed:
        if goal.status == GoalStatus.ACHIEVED:
            times = {"achieved_at": now}
        elif goal.status == GoalStatus.ARCHIVED:
            times = {"archived_at": now}
        else:  # active again
            times = {"achieved_at": None, "archived_at": None}
        # the audit names what changed: reopening an achieved goal leaves archived_at null
        for name, value in times.items():
            if getattr(goal, name) != value:
                setattr(goal, name, value)
                changed.append(name)
    return changed


def _readable_by(actor: Actor, organization_id: UUID) -> Q:
    """app.core.policy.may_read over goals, as a filter: the owner's own; `participants`
    and `organization` goals of the open mentorships the actor takes part in; and, for
    Managers and above, every `organization` goal."""
    mine = (
        scoped(Mentorship, organization_id)
        .filter(Q(coach_id=actor.user_id) | Q(teacher_id=actor.user_id))
        .exclude(status=MentorshipStatus.ENDED)
        .values("id")
    )
    shared = (Visibility.PARTICIPANTS.value, Visibility.ORGANIZATION.value)
    readable = Q(owner_id=actor.user_id) | Q(visibility__in=shared, mentorship_id__in=Subquery(mine))
    if oversees_coaching(actor):
        readable |= Q(visibility=Visibility.ORGANIZATION.value)
    return readable
