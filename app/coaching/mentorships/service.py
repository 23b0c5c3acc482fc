"""Mentorships (SPEC §6): created by a Manager or above (active at once), or proposed by a
coach for themselves (pending until the teacher accepts); listed, read, and moved along
their status machine (app/coaching/mentorships/machine.py).

Both people must be active members of the organization, with the roles Coach and Teacher.
A pair has at most one open (not ended) mentorship per organization: the database decides
it (the partial unique index `mentorships_one_open_per_pair`), so two racing requests
cannot both create one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from app.coaching.mentorships.machine import check_transition
from app.coaching.mentorships.schemas import (
    MentorshipCreate,
    MentorshipPublic,
    MentorshipQuery,
    MentorshipUpdate,
)
from app.coaching.participation import mentorship_audience, visible_mentorship
from app.coaching.sessions import cancelling
from app.core import errors
from app.core.live_events import publish
from app.core.pagination import Page, Paginator, given_filters
from app.core.policy import (
    Actor,
    may_accept_mentorship,
    may_change_mentorship,
    mentorship_creation_status,
    oversees_coaching,
)
from app.core.roles import Role
from app.core.scoping import scoped
from app.core.unit_of_work import UnitsOfWork
from models import Mentorship, MentorshipStatus, OrganizationUser
from models.organizations import MembershipStatus


def public(mentorship: Mentorship) -> MentorshipPublic:
    return MentorshipPublic.model_validate(mentorship)


class MentorshipService:
    """Built at start-up (app.capabilities) with the paginator and the units of work."""

    def __init__(self, *, paginator: Paginator, units: UnitsOfWork) -> None:
        self.paginator = paginator
        self.units = units

    async def create(self, actor: Actor, organization_id: UUID, data: MentorshipCreate) -> MentorshipPublic:
        """403 for a Teacher or a Coach naming another coach; 422 naming the person who is
        not an active Coach (or Teacher) here; 409 when the pair has an open mentorship."""
        status = mentorship_creation_status(actor, coach_id=data.coach_id)
        if status is None:
            raise errors.Forbidden(
                "Managers and above create mentorships; a Coach may propose one with themselves as coach"
            )
        now = datetime.now(UTC)
        try:
            async with self.units() as work:
                await _require_member(organization_id, data.coach_id, Role.COACH, field="coach_id")
                await _require_member(organization_id, data.teacher_id, Role.TEACHER, field="teacher_id")
                existing = await _open_mentorship_of(organization_id, data.coach_id, data.teacher_id)
                if existing is not None:
                    raise _pair_taken(existing)
                mentorship = await Mentorship.create(
                    organization_id=organization_id,
                    coach_id=data.coach_id,
                    teacher_id=data.teacher_id,
                    status=status.value,
                    proposed_by_id=actor.user_id,
                    accepted_at=now if status == MentorshipStatus.ACTIVE else None,
                )
                action = "mentorship.created" if status == MentorshipStatus.ACTIVE else "mentorship.proposed"
                work.audit(
                    action,
                    target=("mentorship", mentorship.id),
                    organization_id=organization_id,
                    changed_fields=["coach_id", "teacher_id", "status"],
                )
                result = public(mentorship)
                publish(work, action, organization_id, result, audience=mentorship_audience(mentorship))
        except IntegrityError:
            # a racing request created the pair's open mentorship between our check and
            # our insert: the unique index refused ours (the transaction is rolled back)
            raise _pair_taken(
                await _open_mentorship_of(organization_id, data.coach_id, data.teacher_id)
            ) from None
        return result

    async def list(
        self, actor: Actor, organization_id: UUID, query: MentorshipQuery
    ) -> Page[MentorshipPublic]:
        """Newest first. Coaches and teachers see their own; Managers and above all."""
        mentorships = scoped(Mentorship, organization_id)
        if not oversees_coaching(actor):
            mentorships = mentorships.filter(Q(coach_id=actor.user_id) | Q(teacher_id=actor.user_id))
        mentorships, filters = given_filters(mentorships, query, ("status", "coach_id", "teacher_id"))
        return await self.paginator.paginate(
            mentorships,
            query,
            scope=f"mentorships:{organization_id}:{actor.user_id}:{filters}",
            to_item=public,
        )

    async def get(self, actor: Actor, organization_id: UUID, mentorship_id: UUID) -> MentorshipPublic:
        return public(await visible_mentorship(actor, organization_id, mentorship_id))

    async def change_status(
        self, actor: Actor, organization_id: UUID, mentorship_id: UUID, data: MentorshipUpdate
    ) -> MentorshipPublic:
        """422 for a transition the machine does not allow (naming those it does); 403 for
        who may not make it: accepting is the teacher's (or a Manager's), pausing, resuming
        and ending either participant's (or a Manager's). Ending needs an `end_reason`."""
        new = MentorshipStatus(data.status)
        if new == MentorshipStatus.ENDED and data.end_reason is None:
            raise errors.ValidationFailed.of_field("end_reason", "required to end a mentorship")
        if new != MentorshipStatus.ENDED and data.end_reason is not None:
            raise errors.ValidationFailed.of_field("end_reason", "given only when ending a mentorship")
        now = datetime.now(UTC)
        async with self.units() as work:
            mentorship = await visible_mentorship(actor, organization_id, mentorship_id, for_update=True)
            current = MentorshipStatus(mentorship.status)
            check_transition(current, new)
            _authorize_transition(actor, mentorship, current, new)
            mentorship.status = new.value
            changed = ["status"]
            if current == MentorshipStatus.PENDING and new == MentorshipStatus.ACTIVE:
                mentorship.accepted_at = now
                changed.append("accepted_at")
            if new == MentorshipStatus.ENDED:
                mentorship.ended_at, mentorship.end_reason = now, data.end_reason
                changed += ["ended_at", "end_reason"]
            await mentorship.save(update_fields=[*changed, "updated_at"])
            action = "mentorship.ended" if new == MentorshipStatus.ENDED else "mentorship.updated"
            work.audit(
                action,
                target=("mentorship", mentorship.id),
                organization_id=organization_id,
                changed_fields=changed,
            )
            result = public(mentorship)
            publish(work, action, organization_id, result, audience=mentorship_audience(mentorship))
            if new == MentorshipStatus.ENDED:
                await cancelling.upcoming_of_mentorship(work, mentorship, now=now, by=actor.user_id)
        return result


def _authorize_transition(
    actor: Actor, mentorship: Mentorship, current: MentorshipStatus, new: MentorshipStatus
) -> None:
    if current == MentorshipStatus.PENDING and new == MentorshipStatus.ACTIVE:
        if not may_accept_mentorship(actor, teacher_id=mentorship.teacher_id):
            raise errors.Forbidden("Only the teacher (or a Manager) accepts a proposed mentorship")
    elif not may_change_mentorship(actor, coach_id=mentorship.coach_id, teacher_id=mentorship.teacher_id):
        raise errors.Forbidden("Only its coach, its teacher or a Manager changes a mentorship's status")


async def _require_member(organization_id: UUID, user_id: UUID, role: Role, *, field: str) -> None:
    """422 unless `user_id` is an active member here with `role`. The same answer for a
    member with another role, a former member and a stranger (or a member of another
    organization only): nothing is told about people outside the organization."""
    is_member = await OrganizationUser.filter(
        organization_id=organization_id,
        user_id=user_id,
        status=MembershipStatus.ACTIVE,
        role_in_organization=role.value,
    ).exists()
    if not is_member:
        message = f"must be an active member of this organization with the role {role.value}"
        raise errors.BusinessRuleViolated(
            f"{field}: {message}", errors=[{"field": field, "message": message}]
        )


async def _open_mentorship_of(organization_id: UUID, coach_id: UUID, teacher_id: UUID) -> Mentorship | None:
    return (
        await scoped(Mentorship, organization_id)
        .filter(coach_id=coach_id, teacher_id=teacher_id)
        .exclude(status=MentorshipStatus.ENDED)
        .first()
    )


def _pair_taken(existing: Mentorship | None) -> errors.Conflict:
    # whoever may create the pair's mentorship may see the open one (a Manager, or the coach
    # proposing themselves, who is its coach): its id helps them find it
    extra = {"mentorship_id": str(existing.id)} if existing is not None else {}
    return errors.Conflict("This coach and teacher have an open mentorship already", extra=extra)
