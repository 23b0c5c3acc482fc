"""The actors of the tasks package, found by importing its modules: adding an actor is
adding a module under tasks/, never editing a list.

An actor module declares its actors at import on a placeholder broker of its own
(`@dramatiq.actor(broker=StubBroker(), …)`), so importing it connects nowhere and picks
no global broker; tasks.broker.configure_broker re-binds them to the broker it builds
(docs/workers.md). A module whose actors need something on every broker (a mailer, a
client) also defines `middleware(settings) -> list[dramatiq.Middleware]`, which is
called once per broker.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

import dramatiq

import tasks
from app.core.settings import Settings

# the worker process's entry module builds a broker when imported: it declares nothing
ENTRY_MODULE = "worker"

BrokerMiddleware = Callable[[Settings], list[dramatiq.Middleware]]


@dataclass(frozen=True, slots=True)
class ActorModule:
    name: str
    actors: tuple[dramatiq.Actor, ...]
    middleware: BrokerMiddleware | None


def _declared_in(module: ModuleType) -> tuple[dramatiq.Actor, ...]:
    # an actor imported from another module is that module's to declare
    return tuple(
        value
        for value in vars(module).values()
        if isinstance(value, dramatiq.Actor) and value.fn.__module__ == module.__name__
    )


def actor_modules() -> list[ActorModule]:
    """Every module of the tasks package that declares actors, in name order."""
    found = []
    for info in sorted(pkgutil.iter_modules(tasks.__path__), key=lambda info: info.name):
        if info.name == ENTRY_MODULE or info.ispkg:
            continue
        module = importlib.import_module(f"{tasks.__name__}.{info.name}")
        actors = _declared_in(module)
        if actors:
            found.append(ActorModule(info.name, actors, getattr(module, "middleware", None)))
    return found
