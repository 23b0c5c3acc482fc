"""Every decision in app/core/policy.py, table by table (pure functions: no server)."""

from __future__ import annotations

import uuid

import pytest

from app.core.policy import (
    Actor,
    Visibility,
    is_last_admin_change,
    level_of,
    may_disable_user,
    may_grant_global_role,
    may_grant_organization_role,
    may_manage_member,
    may_read,
    may_see_member_emails,
    meets_min_role,
)
from app.core.roles import Role

ME = uuid.uuid4()
OTHER = uuid.uuid4()


def actor(
    organization_role: str | None = None, global_role: str | None = None, user_id: uuid.UUID = ME
) -> Actor:
    return Actor(user_id=user_id, global_role=global_role, organization_role=organization_role)


OWNER = actor(global_role="Owner")
PLATFORM_ADMIN = actor(global_role="PlatformAdmin")
ORG_ADMIN = actor("OrganizationAdmin")
MANAGER = actor("Manager")
COACH = actor("Coach")
TEACHER = actor("Teacher")
NOBODY = actor()  # signed in, no role anywhere


@pytest.mark.parametrize(
    ("global_role", "organization_role", "level"),
    [
        (None, None, 0),
        (None, "Teacher", 1),
        (None, "Coach", 1),
        (None, "Manager", 2),
        (None, "OrganizationAdmin", 3),
        ("PlatformAdmin", None, 10),
        ("Owner", None, 15),
        # the higher of the two
        ("PlatformAdmin", "Teacher", 10),
    ],
)
def test_level_is_the_higher_of_global_and_organization_level(global_role, organization_role, level):
    assert level_of(global_role=global_role, organization_role=organization_role) == level
    assert actor(organization_role, global_role).level == level


def test_an_unknown_role_is_an_error_not_level_zero():
    with pytest.raises(ValueError):
        level_of(global_role=None, organization_role="Janitor")


@pytest.mark.parametrize(
    ("who", "is_owner", "is_platform_admin"),
    [(OWNER, True, True), (PLATFORM_ADMIN, False, True), (ORG_ADMIN, False, False), (NOBODY, False, False)],
)
def test_owner_and_platform_admin_flags(who, is_owner, is_platform_admin):
    assert who.is_owner is is_owner
    assert who.is_platform_admin is is_platform_admin


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (NOBODY, set()),
        (TEACHER, {Role.TEACHER, Role.COACH}),
        (COACH, {Role.TEACHER, Role.COACH}),
        (MANAGER, {Role.TEACHER, Role.COACH, Role.MANAGER}),
        (ORG_ADMIN, {Role.TEACHER, Role.COACH, Role.MANAGER, Role.ORGANIZATION_ADMIN}),
        (PLATFORM_ADMIN, set(Role) - {Role.OWNER}),
        (OWNER, set(Role)),
    ],
)
def test_meets_min_role_compares_levels(who, allowed):
    assert {role for role in Role if meets_min_role(who, role)} == allowed


@pytest.mark.parametrize(
    ("who", "grantable"),
    [
        (NOBODY, set()),
        (TEACHER, {Role.TEACHER, Role.COACH}),
        (MANAGER, {Role.TEACHER, Role.COACH, Role.MANAGER}),
        (ORG_ADMIN, {Role.TEACHER, Role.COACH, Role.MANAGER, Role.ORGANIZATION_ADMIN}),
        # a global role is never granted as an organization role, however high the granter
        (PLATFORM_ADMIN, {Role.TEACHER, Role.COACH, Role.MANAGER, Role.ORGANIZATION_ADMIN}),
        (OWNER, {Role.TEACHER, Role.COACH, Role.MANAGER, Role.ORGANIZATION_ADMIN}),
    ],
)
def test_nobody_grants_an_organization_role_above_their_own(who, grantable):
    assert {role for role in Role if may_grant_organization_role(who, role)} == grantable


@pytest.mark.parametrize(
    ("who", "manageable"),
    [
        (TEACHER, set()),
        (COACH, set()),
        (MANAGER, {Role.TEACHER, Role.COACH, Role.MANAGER}),
        (ORG_ADMIN, {Role.TEACHER, Role.COACH, Role.MANAGER, Role.ORGANIZATION_ADMIN}),
        (PLATFORM_ADMIN, {Role.TEACHER, Role.COACH, Role.MANAGER, Role.ORGANIZATION_ADMIN}),
    ],
)
def test_managing_a_member_needs_manager_level_and_no_higher_member(who, manageable):
    organization_roles = [role for role in Role if not role.is_global]
    allowed = {
        role for role in organization_roles if may_manage_member(who, member_role=role, member_id=OTHER)
    }
    assert allowed == manageable


@pytest.mark.parametrize("who", [MANAGER, ORG_ADMIN, PLATFORM_ADMIN, OWNER])
def test_nobody_manages_their_own_membership(who):
    assert not may_manage_member(who, member_role=Role.TEACHER, member_id=ME)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        (NOBODY, False),
        (TEACHER, False),
        (COACH, False),
        (MANAGER, True),
        (ORG_ADMIN, True),
        (PLATFORM_ADMIN, True),
        (OWNER, True),
    ],
)
def test_member_emails_from_manager_level(who, sees):
    assert may_see_member_emails(who) is sees


@pytest.mark.parametrize(
    ("member_role", "new_role", "admins_left", "is_last"),
    [
        (Role.ORGANIZATION_ADMIN, Role.MANAGER, 1, True),  # demoting the only admin
        (Role.ORGANIZATION_ADMIN, None, 1, True),  # removing the only admin
        (Role.ORGANIZATION_ADMIN, Role.MANAGER, 2, False),
        (Role.ORGANIZATION_ADMIN, None, 2, False),
        (Role.ORGANIZATION_ADMIN, Role.ORGANIZATION_ADMIN, 1, False),  # no change of role
        (Role.MANAGER, None, 1, False),  # not an admin
        (Role.TEACHER, Role.COACH, 0, False),
    ],
)
def test_last_admin_change(member_role, new_role, admins_left, is_last):
    assert (
        is_last_admin_change(member_role=member_role, new_role=new_role, admins_left=admins_left) is is_last
    )


@pytest.mark.parametrize(
    ("who", "may"), [(OWNER, True), (PLATFORM_ADMIN, False), (ORG_ADMIN, False), (NOBODY, False)]
)
def test_only_an_owner_grants_global_roles(who, may):
    assert may_grant_global_role(who) is may


@pytest.mark.parametrize(
    ("who", "target_global_role", "may"),
    [
        (OWNER, None, True),
        (OWNER, "PlatformAdmin", True),
        (OWNER, "Owner", True),  # another Owner
        (PLATFORM_ADMIN, None, True),
        (PLATFORM_ADMIN, "PlatformAdmin", False),  # an equal
        (PLATFORM_ADMIN, "Owner", False),
        (ORG_ADMIN, None, False),
        (MANAGER, None, False),
        (NOBODY, None, False),
    ],
)
def test_who_may_disable_whom(who, target_global_role, may):
    assert may_disable_user(who, target_global_role=target_global_role, target_id=OTHER) is may


@pytest.mark.parametrize("who", [OWNER, PLATFORM_ADMIN])
def test_nobody_disables_themselves(who):
    assert not may_disable_user(who, target_global_role=who.global_role, target_id=ME)


AUTHOR = uuid.uuid4()
COACHEE = uuid.uuid4()  # the author's partner in the mentorship
READERS = {
    "author": actor("Coach", user_id=AUTHOR),
    "participant": actor("Teacher", user_id=COACHEE),
    "Manager": actor("Manager"),
    "OrganizationAdmin": actor("OrganizationAdmin"),
    "PlatformAdmin": actor(global_role="PlatformAdmin"),
    "Owner": actor(global_role="Owner"),
    "Teacher non-participant": actor("Teacher"),
    "Coach non-participant": actor("Coach"),
}
# SPEC §1: private = author only; participants = coach and coachee; organization = and
# every member at Manager level or above
MAY_READ = {
    Visibility.PRIVATE: {"author"},
    Visibility.PARTICIPANTS: {"author", "participant"},
    Visibility.ORGANIZATION: {
        "author",
        "participant",
        "Manager",
        "OrganizationAdmin",
        "PlatformAdmin",
        "Owner",
    },
}


@pytest.mark.parametrize("visibility", list(Visibility))
@pytest.mark.parametrize("reader", list(READERS))
def test_visibility_matrix(visibility, reader):
    allowed = may_read(
        READERS[reader], visibility=visibility, author_id=AUTHOR, participant_ids={AUTHOR, COACHEE}
    )
    assert allowed is (reader in MAY_READ[visibility])


def test_a_participant_who_is_a_manager_reads_participants_content_as_a_participant():
    manager_coachee = actor("Manager", user_id=COACHEE)
    assert may_read(
        manager_coachee, visibility=Visibility.PARTICIPANTS, author_id=AUTHOR, participant_ids={COACHEE}
    )
    assert not may_read(
        manager_coachee, visibility=Visibility.PRIVATE, author_id=AUTHOR, participant_ids={COACHEE}
    )


def test_content_without_an_author_is_read_by_visibility_alone():
    assert not may_read(COACH, visibility=Visibility.PRIVATE, author_id=None, participant_ids=set())
    assert may_read(MANAGER, visibility=Visibility.ORGANIZATION, author_id=None, participant_ids=set())
