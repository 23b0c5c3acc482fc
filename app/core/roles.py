"""Roles and their levels (SPEC §1, Roles). A role check compares levels."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "Owner"
    PLATFORM_ADMIN = "PlatformAdmin"
    ORGANIZATION_ADMIN = "OrganizationAdmin"
    MANAGER = "Manager"
    COACH = "Coach"
    TEACHER = "Teacher"

    @property
    def level(self) -> int:
        return LEVELS[self]

    @property
    def is_global(self) -> bool:
        return self in GLOBAL_ROLES


LEVELS: dict[Role, int] = {
    Role.OWNER: 15,
    Role.PLATFORM_ADMIN: 10,
    Role.ORGANIZATION_ADMIN: 3,
    Role.MANAGER: 2,
    Role.COACH: 1,
    Role.TEACHER: 1,
}
GLOBAL_ROLES = frozenset({Role.OWNER, Role.PLATFORM_ADMIN})
ORGANIZATION_ROLES = frozenset(set(Role) - GLOBAL_ROLES)
