"""The coaching decisions of app/core/policy.py, as the pure functions they are: who
creates, proposes, accepts and changes mentorships, and who writes goals and action items."""

from __future__ import annotations

import uuid

from app.core.policy import (
    Actor,
    may_accept_mentorship,
    may_change_goal_visibility,
    may_change_mentorship,
    may_contribute_to_mentorship,
    mentorship_creation_status,
)
from models import MentorshipStatus

COACH, TEACHER, OTHER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def member(user_id: uuid.UUID, role: str) -> Actor:
    return Actor(user_id, None, role)


def test_managers_and_global_roles_create_active_mentorships():
    for actor in (
        member(OTHER, "Manager"),
        member(OTHER, "OrganizationAdmin"),
        Actor(OTHER, "PlatformAdmin"),
    ):
        assert mentorship_creation_status(actor, coach_id=COACH) == MentorshipStatus.ACTIVE


def test_a_coach_proposes_only_for_themselves_and_a_teacher_never():
    assert mentorship_creation_status(member(COACH, "Coach"), coach_id=COACH) == MentorshipStatus.PENDING
    assert mentorship_creation_status(member(OTHER, "Coach"), coach_id=COACH) is None
    assert mentorship_creation_status(member(TEACHER, "Teacher"), coach_id=TEACHER) is None


def test_accepting_is_the_teachers_or_a_managers_never_the_coachs():
    assert may_accept_mentorship(member(TEACHER, "Teacher"), teacher_id=TEACHER)
    assert may_accept_mentorship(member(OTHER, "Manager"), teacher_id=TEACHER)
    assert not may_accept_mentorship(member(COACH, "Coach"), teacher_id=TEACHER)


def test_either_participant_or_a_manager_changes_a_mentorship_and_writes_its_content():
    participants = (COACH, TEACHER)
    for actor in (member(COACH, "Coach"), member(TEACHER, "Teacher"), member(OTHER, "Manager")):
        assert may_change_mentorship(actor, coach_id=COACH, teacher_id=TEACHER)
        assert may_contribute_to_mentorship(actor, participant_ids=participants)
    for actor in (member(OTHER, "Coach"), member(OTHER, "Teacher")):
        assert not may_change_mentorship(actor, coach_id=COACH, teacher_id=TEACHER)
        assert not may_contribute_to_mentorship(actor, participant_ids=participants)
    # an ended mentorship has no participants: its former coach writes nothing
    assert not may_contribute_to_mentorship(member(COACH, "Coach"), participant_ids=())


def test_only_the_owner_changes_a_goals_visibility():
    assert may_change_goal_visibility(member(TEACHER, "Teacher"), owner_id=TEACHER)
    assert not may_change_goal_visibility(member(COACH, "Coach"), owner_id=TEACHER)
    assert not may_change_goal_visibility(Actor(OTHER, "Owner"), owner_id=TEACHER)
