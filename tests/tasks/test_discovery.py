"""Workers find their actors: every actor declared in a module under tasks/ is bound."""

from __future__ import annotations

import ast
from pathlib import Path

import tasks
from tasks.broker import configure_broker
from tasks.discovery import actor_modules


def declared_in_source() -> set[str]:
    """The functions decorated with `dramatiq.actor` in the package's files, read as text."""
    names = set()
    for path in Path(tasks.__path__[0]).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for decorator in node.decorator_list:
                    target = decorator.func if isinstance(decorator, ast.Call) else decorator
                    if ast.unparse(target) == "dramatiq.actor":
                        names.add(node.name)
    return names


def test_the_discovered_actors_are_those_declared_under_tasks():
    discovered = {actor.actor_name for module in actor_modules() for actor in module.actors}
    assert discovered == declared_in_source()
    assert "send_email" in discovered


def test_the_broker_binds_every_discovered_actor(make_settings):
    broker = configure_broker(make_settings())
    assert set(broker.actors) == declared_in_source()
