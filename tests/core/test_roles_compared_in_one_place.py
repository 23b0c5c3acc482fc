"""Roles are compared in one place (app/core/policy.py, over app/core/roles.py): no other
module reads a level or orders roles, so every authorization rule can be read, and
changed, there."""

from __future__ import annotations

import ast

from app.core.roles import Role
from tests.core.sources import modules

ALLOWED = {"app/core/policy.py", "app/core/roles.py"}
ORDERING = (ast.Lt, ast.Gt, ast.LtE, ast.GtE)
ROLE_NAMES = {role.value for role in Role}
# owners of a log level (`handler.level`, `settings.logging.level`), not a role's
LOG_LEVEL_OWNERS = {"logging", "logger", "handler", "record"}


def _identifier(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _identifier(node.func)
    return None


def _is_role(node: ast.expr) -> bool:
    """A role by the look of it: `Role.MANAGER`, `Role(x)`, anything named `*role*`, or
    a role's name as a literal (`"Manager"`)."""
    if isinstance(node, ast.Constant):
        return node.value in ROLE_NAMES
    if isinstance(node, ast.Attribute) and _identifier(node.value) == "Role":
        return True
    name = _identifier(node)
    return name is not None and "role" in name.lower()


def violations(tree: ast.AST) -> list[str]:
    """Each line that reads a level or orders roles, described."""
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Attribute) and node.attr == "level":
            if _identifier(node.value) not in LOG_LEVEL_OWNERS:
                found.append(f"line {line}: reads .level")
        elif isinstance(node, ast.Attribute) and node.attr == "LEVELS":
            found.append(f"line {line}: reads .{node.attr}")
        elif isinstance(node, ast.Name) and node.id == "LEVELS":
            found.append(f"line {line}: reads LEVELS")
        elif isinstance(node, ast.ImportFrom) and any(alias.name == "LEVELS" for alias in node.names):
            found.append(f"line {line}: imports LEVELS")
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            ordered = any(isinstance(op, ORDERING) for op in node.ops)
            if ordered and any(_is_role(operand) for operand in operands):
                found.append(f"line {line}: orders roles with <, >, <= or >=")
    return found


def test_no_module_but_the_policy_compares_roles_or_levels():
    offenders = [
        f"{path} {violation}"
        for path, tree in modules()
        if path not in ALLOWED
        for violation in violations(tree)
    ]
    assert offenders == [], "compare roles through app.core.policy:\n" + "\n".join(offenders)


def test_the_scan_covers_the_policy_itself():
    """Were the scan blind (no files, wrong folder), the policy would show up here."""
    policy = dict(modules())["app/core/policy.py"]
    assert violations(policy)


PLANTED = {
    "actor.level >= 2": "reads .level",
    "principal.level": "reads .level",
    "LEVELS[role] > 1": "reads LEVELS",
    "from app.core.roles import LEVELS": "imports LEVELS",
    "roles.LEVELS": "reads .LEVELS",
    "member.role_in_organization > 'Coach'": "orders roles",
    "global_role >= required": "orders roles",
    "Role.MANAGER <= wanted": "orders roles",
    "Role(value) < other": "orders roles",
    "'Manager' < x": "orders roles",
}


def test_the_scan_finds_planted_comparisons():
    for snippet, kind in PLANTED.items():
        found = violations(ast.parse(snippet))
        assert len(found) >= 1 and kind in found[0], (snippet, found)


def test_the_scan_lets_equality_and_unrelated_ordering_pass():
    harmless = (
        "role == Role.OWNER\n"
        "role in ORGANIZATION_ROLES\n"
        "count >= limit\n"
        "record.levelno >= logging.WARNING\n"
        "handler.level <= logging.INFO\n"
        "configure(settings.logging.level)\n"
        "response.status < 500\n"
    )
    assert violations(ast.parse(harmless)) == []
