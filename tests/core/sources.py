"""The project's own source, parsed, for tests that check a rule across every module."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

# the code that runs: the app, the request chain and the background tasks
SCANNED = ("app", "middleware", "tasks")


def modules() -> Iterator[tuple[str, ast.Module]]:
    """(path relative to the project, syntax tree) of every module under SCANNED."""
    for package in SCANNED:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield relative(path), ast.parse(path.read_text(), filename=str(path))


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()
