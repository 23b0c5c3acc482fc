"""Authorization: every decision about who may do what, as pure functions (SPEC §1, Roles).

Routes declare coarse needs (`Access.min_role`, enforced by the chain through
`meets_min_role`); services call the functions here for the rest. Nothing else compares
roles or levels (tests/core/test_roles_compared_in_one_place.py checks the source for it).

An `Actor` is what the decisions look at: the global role and the role in the
organization being acted in. Visibility (`private`, `participants`, `organization`)
decides who may read coaching content; a hidden object is answered as missing (404).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING
from uuid import UUID

from app.core.roles import LEVELS, Role
from models.coaching import MentorshipStatus, Visibility

if TYPE_CHECKING:
    from app.core.live_events import Audience


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: UUID
    global_role: str | None
    # None for a user acting through a global role, or outside any organization
    organization_role: str | None = None

    @property
    def level(self) -> int:
        return level_of(global_role=self.global_role, organization_role=self.organization_role)

    @property
    def is_owner(self) -> bool:
        return self.global_role == Role.OWNER

    @property
    def is_platform_admin(self) -> bool:
        """PlatformAdmin or above (Owner)."""
        return self.global_role is not None and LEVELS[Role(self.global_role)] >= Role.PLATFORM_ADMIN.level


def level_of(*, global_role: str | None, organization_role: str | None) -> int:
    """The higher of the global level and the level in the organization (0: none)."""
    return max(_level_of_name(global_role), _level_of_name(organization_role))


@cache
def _level_of_name(role: str | None) -> int:
    # remembered by name (a ValueError for an unknown one is not): each live event is
    # judged for every open stream, and Role(name) was most of may_receive's cost
    return LEVELS[Role(role)] if role else 0


def meets_min_role(actor: Actor, min_role: Role) -> bool:
    """A route's declared minimum (middleware.chain enforces it)."""
    return actor.level >= min_role.level


# -- organization roles -------------------------------------------------------------


def may_grant_organization_role(actor: Actor, role: Role) -> bool:
    """Nobody grants a role above their own (inviting, or changing a member's role)."""
    return not role.is_global and role.level <= actor.level


def may_manage_member(actor: Actor, *, member_role: Role, member_id: UUID) -> bool:
    """Change the role of, or remove, a member: Manager level at least, and never someone
    whose role is above the actor's own."""
    if member_id == actor.user_id:
        return False  # oneself: leave (a route of its own), never self-promotion
    return actor.level >= Role.MANAGER.level and member_role.level <= actor.level


def may_see_member_emails(actor: Actor) -> bool:
    """Members' email addresses in the member list: Manager level and above."""
    return actor.level >= Role.MANAGER.level


def is_last_admin_change(*, member_role: Role, new_role: Role | None, admins_left: int) -> bool:
    """Would this demotion or removal (new_role None) leave the organization without an
    OrganizationAdmin? `admins_left` counts active OrganizationAdmins now."""
    if member_role != Role.ORGANIZATION_ADMIN or new_role == Role.ORGANIZATION_ADMIN:
        return False
    return admins_left <= 1


def may_create_organization(actor: Actor, *, self_service: bool) -> bool:
    """Any user may create organizations (SPEC §5) unless self service is off
    (`organizations.self_service`): then PlatformAdmin and above only."""
    return self_service or actor.is_platform_admin


# -- global roles and users administration -----------------------------------------------


def is_owner(global_role: str | None) -> bool:
    return global_role == Role.OWNER


def may_grant_global_role(actor: Actor) -> bool:
    """Only an Owner grants or withdraws a global role."""
    return actor.is_owner


def may_disable_user(actor: Actor, *, target_global_role: str | None, target_id: UUID) -> bool:
    """PlatformAdmin and above disable users; an Owner only by another Owner; nobody
    themselves (they would lock themselves out)."""
    if target_id == actor.user_id or not actor.is_platform_admin:
        return False
    if target_global_role == Role.OWNER:
        return actor.is_owner
    if target_global_role is not None:
        return level_of(global_role=target_global_role, organization_role=None) < actor.level
    return True


# -- visibility ------------------------------------------------------------------------


def may_read(
    actor: Actor, *, visibility: Visibility, author_id: UUID | None, participant_ids: Collection[UUID]
) -> bool:
    """Whether `actor` may read content of this visibility (SPEC §1). Managers and admins
    read `organization` content; `private` and `participants` content only as its author
    or a participant."""
    if author_id is not None and actor.user_id == author_id:
        return True
    if visibility == Visibility.PRIVATE:
        return False
    if actor.user_id in participant_ids:
        return True
    return visibility == Visibility.ORGANIZATION and actor.level >= Role.MANAGER.level


# -- coaching sessions (app/coaching/sessions/) --------------------------------------------


def may_schedule_session(actor: Actor, *, coach_id: UUID, teacher_id: UUID) -> bool:
    """Both participants book their time (the coach or the teacher), and Managers and above
    schedule for any mentorship of their organization."""
    return actor.user_id in (coach_id, teacher_id) or actor.level >= Role.MANAGER.level


def may_change_session(actor: Actor, *, coach_id: UUID, teacher_id: UUID) -> bool:
    """Reschedule, edit or cancel: whoever may schedule it (the notice window aside)."""
    return may_schedule_session(actor, coach_id=coach_id, teacher_id=teacher_id)


def may_run_session(actor: Actor, *, coach_id: UUID) -> bool:
    """Start, complete or mark a no-show: the session's coach, or Managers and above."""
    return actor.user_id == coach_id or actor.level >= Role.MANAGER.level


def may_list_all_sessions(actor: Actor) -> bool:
    """Managers and above list the organization's sessions; others those they take part in."""
    return actor.level >= Role.MANAGER.level


def bound_by_notice_window(actor: Actor, *, coach_id: UUID) -> bool:
    """A teacher may not cancel or reschedule inside the notice window (SPEC §6); the
    coach and Managers and above may, with a reason."""
    return actor.user_id != coach_id and actor.level < Role.MANAGER.level


# -- live events -----------------------------------------------------------------------


def may_receive(actor: Actor, audience: Audience) -> bool:
    """Whether a live event with this audience reaches `actor`'s stream (app.core.live_events)."""
    if actor.user_id in audience.user_ids:
        return True
    if audience.visibility is not None:
        return may_read(
            actor,
            visibility=audience.visibility,
            author_id=audience.author_id,
            participant_ids=audience.participant_ids,
        )
    return audience.min_role is None or actor.level >= audience.min_role.level


# -- coaching: mentorships, goals, action items (issue 12) -----------------------------


def oversees_coaching(actor: Actor) -> bool:
    """Managers and above see every mentorship and action item of the organization, and
    act on them without taking part (SPEC §6); coaches and teachers only their own."""
    return actor.level >= Role.MANAGER.level


def mentorship_creation_status(actor: Actor, *, coach_id: UUID) -> MentorshipStatus | None:
    """What creating a mentorship makes: `active` from a Manager or above; `pending` from a
    Coach proposing themselves as its coach (the teacher accepts); None: refused (a
    Teacher, or a Coach naming another coach)."""
    if oversees_coaching(actor):
        return MentorshipStatus.ACTIVE
    if actor.organization_role == Role.COACH and coach_id == actor.user_id:
        return MentorshipStatus.PENDING
    return None


def may_accept_mentorship(actor: Actor, *, teacher_id: UUID) -> bool:
    """A proposed (pending) mentorship becomes active by its teacher, or a Manager or
    above; never by the coach who proposed it."""
    return actor.user_id == teacher_id or oversees_coaching(actor)


def may_change_mentorship(actor: Actor, *, coach_id: UUID, teacher_id: UUID) -> bool:
    """Pause, resume or end (or decline or withdraw a proposal): either participant, or a
    Manager or above."""
    return actor.user_id in (coach_id, teacher_id) or oversees_coaching(actor)


def may_contribute_to_mentorship(actor: Actor, *, participant_ids: Collection[UUID]) -> bool:
    """Write goals and action items of a mentorship: its current participants, or a
    Manager or above."""
    return actor.user_id in participant_ids or oversees_coaching(actor)


def may_change_goal_visibility(actor: Actor, *, owner_id: UUID) -> bool:
    """Only the goal's owner (the teacher) decides who may read it."""
    return actor.user_id == owner_id


# -- session notes (issue 12: notes, calendar, reminders) ------------------------------


def may_write_session_note(actor: Actor, *, participant_ids: Collection[UUID]) -> bool:
    """Write a note on a session one may see: a participant of its mentorship while it is
    open (`participant_ids` is empty once it has ended), or a Manager and above."""
    return actor.user_id in participant_ids or actor.level >= Role.MANAGER.level


def may_change_session_note(actor: Actor, *, author_id: UUID) -> bool:
    """Edit or delete a note: its author alone (a note is its author's words; nobody,
    whatever their role, rewrites or removes them)."""
    return actor.user_id == author_id
