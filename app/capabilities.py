"""The capabilities the app mounts, in one list.

Each entry names a capability, its blueprint factory (called once per mount, with the
app's state; None: not served with the settings in effect) and the mounts it is served
under (app.core.mount). Serving a capability at a second prefix, with that prefix's own
error shape, is one more Mount in its `mounts`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sanic import Blueprint

from app.admin.metrics import routes as admin_metrics_routes
from app.admin.metrics.service import PlatformMetricsService
from app.admin.users import routes as admin_users_routes
from app.admin.users.service import UsersAdministration
from app.audit import routes as audit_routes
from app.audit.service import AuditLog
from app.auth import routes as auth_routes
from app.auth import session_routes
from app.auth.email import routes as email_routes
from app.auth.email.service import EmailFlows
from app.auth.mfa import routes as mfa_routes
from app.auth.mfa.service import MfaService
from app.auth.service import AuthService
from app.coaching.action_items import routes as action_items_routes
from app.coaching.action_items.service import ActionItemService
from app.coaching.calendar import routes as calendar_routes
from app.coaching.calendar.service import CalendarFeeds
from app.coaching.goals import routes as goals_routes
from app.coaching.goals.service import GoalService
from app.coaching.mentorships import routes as mentorships_routes
from app.coaching.mentorships.service import MentorshipService
from app.coaching.notes import routes as session_notes_routes
from app.coaching.notes.service import SessionNoteService
from app.coaching.sessions import routes as coaching_sessions_routes
from app.coaching.sessions.service import SessionService
from app.core.mount import Mount
from app.docs import routes as docs_routes
from app.events import routes as events_routes
from app.invites import routes as invites_routes
from app.invites.acceptance import InviteAcceptance
from app.invites.service import InviteService
from app.me import routes as me_routes
from app.me.service import AccountService
from app.organizations import member_routes
from app.organizations import routes as organizations_routes
from app.organizations.members import MemberService
from app.organizations.service import OrganizationService
from app.profile import routes as profile_routes
from app.profile.service import ProfileService
from app.setup import routes as setup_routes
from app.setup.service import SetupService
from app.state import AppState
from app.system import routes as system_routes
from app.system.diagnostics import routes as diagnostics_routes
from app.system.diagnostics.service import DiagnosticsService
from app.system.metrics import ScrapeGuard
from tasks.broker import queue_depths

API_V1 = Mount("/api/v1")
# for blueprints whose routes name their whole path (system: /api, /api/health, /api/metrics)
ROOT = Mount("")

BuildBlueprint = Callable[[Mount, AppState], Blueprint | None]


@dataclass(frozen=True, slots=True)
class Capability:
    name: str
    build: BuildBlueprint
    mounts: tuple[Mount, ...] = (API_V1,)


def _system(mount: Mount, state: AppState) -> Blueprint:
    settings = state.settings
    return system_routes.blueprint(
        mount,
        docs=API_V1 if settings.docs.enabled else None,
        redis=state.redis,
        # the broker is configured when the server starts, after mounting: ask the state then
        broker_is_healthy=lambda: state.broker_is_healthy(),
        metrics=state.metrics,
        scrape_guard=ScrapeGuard(settings.metrics, settings.security.client_api_keys),
    )


def _email_flows(state: AppState) -> EmailFlows:
    settings = state.settings
    return EmailFlows(
        accounts=settings.accounts,
        callback_origins=settings.callback_origins,
        passwords=state.passwords,
        sessions=state.sessions,
        units=state.units,
    )


def _auth_service(state: AppState) -> AuthService:
    settings = state.settings
    mfa = MfaService(
        accounts=settings.accounts, passwords=state.passwords, sessions=state.sessions, units=state.units
    )
    return AuthService(
        accounts=settings.accounts,
        hide_account_existence=settings.security.hide_account_existence,
        passwords=state.passwords,
        sessions=state.sessions,
        paginator=state.paginator,
        units=state.units,
        email=_email_flows(state),
        mfa=mfa,
        invites=_invite_acceptance(state),
    )


def _auth(mount: Mount, state: AppState) -> Blueprint:
    return auth_routes.blueprint(mount, auth=_auth_service(state), cookies=state.cookies)


def _auth_sessions(mount: Mount, state: AppState) -> Blueprint:
    return session_routes.blueprint(mount, auth=_auth_service(state), cookies=state.cookies)


def _auth_mfa(mount: Mount, state: AppState) -> Blueprint:
    auth = _auth_service(state)
    return mfa_routes.blueprint(mount, mfa=auth.mfa, auth=auth, cookies=state.cookies)


def _auth_email(mount: Mount, state: AppState) -> Blueprint:
    return email_routes.blueprint(mount, email=_email_flows(state))


def _invite_acceptance(state: AppState) -> InviteAcceptance:
    return InviteAcceptance(paginator=state.paginator, units=state.units)


def _invites(mount: Mount, state: AppState) -> Blueprint:
    settings = state.settings
    invites = InviteService(
        organizations=settings.organizations,
        app_url=settings.accounts.app_url,
        callback_origins=settings.callback_origins,
        paginator=state.paginator,
        units=state.units,
    )
    return invites_routes.blueprint(mount, invites=invites, acceptance=_invite_acceptance(state))


def _me(mount: Mount, state: AppState) -> Blueprint:
    account = AccountService(
        accounts=state.settings.accounts,
        passwords=state.passwords,
        sessions=state.sessions,
        units=state.units,
    )
    return me_routes.blueprint(
        mount,
        account=account,
        members=_member_service(state),
        paginator=state.paginator,
        clear_session_cookie=state.cookies.clear,
    )


def _profile(mount: Mount, state: AppState) -> Blueprint:
    settings = state.settings
    profile = ProfileService(
        accounts=settings.accounts,
        hide_account_existence=settings.security.hide_account_existence,
        callback_origins=settings.callback_origins,
        passwords=state.passwords,
        sessions=state.sessions,
        units=state.units,
    )
    return profile_routes.blueprint(mount, profile=profile)


def _organizations(mount: Mount, state: AppState) -> Blueprint:
    organizations = OrganizationService(
        organizations=state.settings.organizations, units=state.units, paginator=state.paginator
    )
    return organizations_routes.blueprint(mount, organizations=organizations)


def _member_service(state: AppState) -> MemberService:
    return MemberService(units=state.units, paginator=state.paginator)


def _organization_members(mount: Mount, state: AppState) -> Blueprint:
    return member_routes.blueprint(mount, members=_member_service(state))


def _setup(mount: Mount, state: AppState) -> Blueprint:
    setup = SetupService(setup_token=state.settings.security.setup_token, passwords=state.passwords)
    return setup_routes.blueprint(mount, setup=setup)


def _docs(mount: Mount, state: AppState) -> Blueprint | None:
    docs = state.settings.docs
    if not docs.enabled:
        return None
    return docs_routes.blueprint(
        mount,
        public=docs.public,
        pagination=state.settings.pagination,
        session_cookie_name=state.settings.sessions.cookie_name,
    )


def _session_notes(mount: Mount, state: AppState) -> Blueprint:
    notes = SessionNoteService(paginator=state.paginator, units=state.units)
    return session_notes_routes.blueprint(mount, notes=notes)


def _calendar(mount: Mount, state: AppState) -> Blueprint:
    settings = state.settings
    feeds = CalendarFeeds(coaching=settings.coaching, units=state.units)
    return calendar_routes.blueprint(mount, feeds=feeds, base_url=settings.server.base_url)


def _broker_depths(state: AppState) -> Callable[[], dict[str, int]]:
    """A blocking read of the broker's queue lengths; the broker is configured when the
    server starts, after mounting: ask the state then."""
    return lambda: queue_depths(state.broker) if state.broker is not None else {}


def _admin_users(mount: Mount, state: AppState) -> Blueprint:
    users = UsersAdministration(sessions=state.sessions, paginator=state.paginator, units=state.units)
    return admin_users_routes.blueprint(mount, users=users)


def _admin_metrics(mount: Mount, state: AppState) -> Blueprint:
    metrics = PlatformMetricsService(read_broker_depths=_broker_depths(state))
    return admin_metrics_routes.blueprint(mount, metrics=metrics)


def _audit(mount: Mount, state: AppState) -> Blueprint:
    return audit_routes.blueprint(mount, audit_log=AuditLog(paginator=state.paginator))


def _events(mount: Mount, state: AppState) -> Blueprint:
    return events_routes.blueprint(mount, streams=state.event_streams)


def _diagnostics(mount: Mount, state: AppState) -> Blueprint:
    diagnostics = DiagnosticsService(settings=state.settings, read_broker_depths=_broker_depths(state))
    return diagnostics_routes.blueprint(mount, diagnostics=diagnostics)


def _mentorships(mount: Mount, state: AppState) -> Blueprint:
    service = MentorshipService(paginator=state.paginator, units=state.units)
    return mentorships_routes.blueprint(mount, mentorships=service)


def _goals(mount: Mount, state: AppState) -> Blueprint:
    return goals_routes.blueprint(mount, goals=GoalService(paginator=state.paginator, units=state.units))


def _action_items(mount: Mount, state: AppState) -> Blueprint:
    service = ActionItemService(paginator=state.paginator, units=state.units)
    return action_items_routes.blueprint(mount, action_items=service)


def _coaching_sessions(mount: Mount, state: AppState) -> Blueprint:
    sessions = SessionService(coaching=state.settings.coaching, units=state.units, paginator=state.paginator)
    return coaching_sessions_routes.blueprint(mount, sessions=sessions)


CAPABILITIES: tuple[Capability, ...] = (
    Capability("system", _system, mounts=(ROOT,)),
    Capability("auth", _auth),
    Capability("auth_sessions", _auth_sessions),
    Capability("auth_mfa", _auth_mfa),
    Capability("auth_email", _auth_email),
    Capability("me", _me),
    Capability("profile", _profile),
    Capability("organizations", _organizations),
    Capability("organization_members", _organization_members),
    Capability("invites", _invites),
    Capability("mentorships", _mentorships),
    Capability("goals", _goals),
    Capability("action_items", _action_items),
    Capability("session_notes", _session_notes),
    Capability("calendar", _calendar),
    Capability("events", _events),
    Capability("setup", _setup),
    Capability("admin_users", _admin_users),
    Capability("admin_metrics", _admin_metrics),
    Capability("audit", _audit),
    Capability("coaching_sessions", _coaching_sessions),
    Capability("system_diagnostics", _diagnostics),
    Capability("docs", _docs),
)


def mounted_blueprints(
    state: AppState, capabilities: tuple[Capability, ...] = CAPABILITIES
) -> list[tuple[Mount, Blueprint]]:
    """Each capability's blueprint for each of its mounts, in the order of the list."""
    mounted = []
    for capability in capabilities:
        for mount in capability.mounts:
            blueprint = capability.build(mount, state)
            if blueprint is not None:
                mounted.append((mount, blueprint))
    return mounted
