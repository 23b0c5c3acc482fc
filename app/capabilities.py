"""The capabilities the app mounts, in one list.

Each entry names a capability, how to build its blueprint for the settings in effect
(None: not mounted with them) and the prefixes it is served under. app.main builds each
entry once per prefix and groups the blueprints by prefix, so serving a capability at a
second prefix is a second entry in `mounts` once its blueprint is built by a factory
rather than kept as one module-level object (which can be mounted once only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sanic import Blueprint

from app.auth import routes as auth_routes
from app.auth import session_routes
from app.auth.email import routes as email_routes
from app.auth.mfa import routes as mfa_routes
from app.core.settings import Settings
from app.docs.routes import docs_blueprint
from app.me import routes as me_routes
from app.organizations import routes as organizations_routes
from app.profile import routes as profile_routes
from app.setup import routes as setup_routes
from app.system import routes as system_routes

API_V1 = "/api/v1"
# for blueprints whose routes name their whole path (system: /api, /api/health, /api/metrics)
ROOT = ""

BuildBlueprint = Callable[[Settings], Blueprint | None]


@dataclass(frozen=True, slots=True)
class Capability:
    name: str
    build: BuildBlueprint
    mounts: tuple[str, ...] = (API_V1,)


def _module_blueprint(blueprint: Blueprint) -> BuildBlueprint:
    """A capability whose blueprint is still its module's one object."""
    return lambda settings: blueprint


def _docs(settings: Settings) -> Blueprint | None:
    return docs_blueprint(public=settings.docs.public) if settings.docs.enabled else None


CAPABILITIES: tuple[Capability, ...] = (
    Capability("system", _module_blueprint(system_routes.bp), mounts=(ROOT,)),
    Capability("auth", _module_blueprint(auth_routes.bp)),
    Capability("auth_sessions", _module_blueprint(session_routes.bp)),
    Capability("auth_mfa", _module_blueprint(mfa_routes.bp)),
    Capability("auth_email", _module_blueprint(email_routes.bp)),
    Capability("me", _module_blueprint(me_routes.bp)),
    Capability("profile", _module_blueprint(profile_routes.bp)),
    Capability("organizations", _module_blueprint(organizations_routes.bp)),
    Capability("setup", _module_blueprint(setup_routes.bp)),
    Capability("docs", _docs),
)


def blueprints_by_prefix(
    settings: Settings, capabilities: tuple[Capability, ...] = CAPABILITIES
) -> dict[str, list[Blueprint]]:
    """The blueprints to mount under each prefix, in the order of the list."""
    mounted: dict[str, list[Blueprint]] = {}
    for capability in capabilities:
        for prefix in capability.mounts:
            blueprint = capability.build(settings)
            if blueprint is not None:
                mounted.setdefault(prefix, []).append(blueprint)
    return mounted
