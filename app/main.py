"""The composition root: `create_app(settings) -> Sanic`, the one place the application is
wired. It mounts the capabilities of app.capabilities, builds the app's state
(app.state) and starts and stops what lives as long as the app. Only the process entry
(server.py) and the tests import it; nothing in app/, middleware/ or tasks/ does
(the import contract in pyproject.toml checks it)."""

from __future__ import annotations

import asyncio
import logging
from functools import partial

import orjson
from sanic import Sanic
from sanic_ext import Extend
from sanic_ext.extensions.http.extension import HTTPExtension

from app.auth import forgot_password
from app.capabilities import CAPABILITIES, Capability, mounted_blueprints
from app.coaching.reminders import reminder_sweeper
from app.core.access import attach_access
from app.core.automatic_routes import add_automatic_routes
from app.core.database import close_database, open_database
from app.core.logging import quiet_client_noise
from app.core.mount import MountErrorHandler
from app.core.openapi import openapi_config
from app.core.request import TandemRequest
from app.core.settings import Settings
from app.outbox.relay import OutboxRelay
from app.state import AppState
from middleware.chain import build_chain, install_chain
from tasks.broker import broker_is_healthy, configure_broker, start_in_process_worker, stop_worker
from tasks.outbox import publisher

logger = logging.getLogger("tandem")


class UndeclaredRoutes(Exception):
    """A route declares no access requirements (deny by default)."""


def create_app(
    settings: Settings, *, name: str = "tandem", capabilities: tuple[Capability, ...] = CAPABILITIES
) -> Sanic:
    """`capabilities`: what the app serves, and where (app.capabilities)."""
    state = AppState.build(settings)
    mounted = mounted_blueprints(state, capabilities)
    app = Sanic(
        name,
        request_class=TandemRequest,
        error_handler=MountErrorHandler(mount for mount, _ in mounted),
        # status codes are int keys in the OpenAPI document
        dumps=partial(orjson.dumps, option=orjson.OPT_NON_STR_KEYS),
        configure_logging=False,
    )
    quiet_client_noise()
    app.config.REQUEST_MAX_SIZE = settings.server.max_body_bytes
    app.config.REQUEST_TIMEOUT = settings.server.request_timeout_seconds
    app.config.FALLBACK_ERROR_FORMAT = "json"
    # Client IPs come from our request-context link, which trusts only configured proxies.
    app.config.PROXIES_COUNT = 0
    app.config.REAL_IP_HEADER = None

    app.ctx.state = state
    install_chain(app, build_chain(settings.middleware.chain, state))
    for mount, blueprint in mounted:
        mount.attach(app, blueprint)

    add_automatic_routes(app)
    # sanic-ext for CORS and HTTP methods only: app.docs builds the OpenAPI document
    Extend(
        app,
        extensions=[HTTPExtension],
        built_in_extensions=False,
        config=openapi_config(settings),
    )

    app.before_server_start(_start)
    app.before_server_stop(_end_streams)
    app.after_server_stop(_stop)
    return app


async def _start(app: Sanic) -> None:
    state: AppState = app.ctx.state
    settings = state.settings
    state.metrics.app_started()
    # routes added after create_app (a test's, a plug-in's listener) get theirs too; for
    # the app's own this finds nothing left to add (adding now rebuilds Sanic's routers)
    add_automatic_routes(app)
    undeclared = attach_access(app)
    if undeclared:
        raise UndeclaredRoutes(f"routes without an access declaration: {', '.join(undeclared)}")
    await open_database(settings.database)
    state.broker = configure_broker(settings, metrics=state.metrics)
    state.broker_is_healthy = partial(broker_is_healthy, state.broker)
    if not settings.broker_url:
        state.worker = start_in_process_worker(state.broker)
    state.outbox_relay = OutboxRelay(
        settings.outbox,
        publish=publisher(state.broker),
        units=state.units,
        local_jobs=forgot_password.outbox_jobs(settings.accounts, settings.callback_origins),
    )
    state.background_tasks.append(asyncio.create_task(state.outbox_relay.run()))
    if not settings.broker_url:
        # the embedded default has no worker process: the reminders are swept here
        # (with a broker, worker processes sweep: tasks/scheduler.py)
        state.reminder_sweeper = reminder_sweeper(settings, units=state.units)
        state.background_tasks.append(asyncio.create_task(state.reminder_sweeper.run()))
    if state.pubsub is not None:
        state.background_tasks.append(asyncio.create_task(state.pubsub.run()))


async def _end_streams(app: Sanic) -> None:
    """Before the server waits for open responses: an event stream would never end."""
    state: AppState = app.ctx.state
    state.event_streams.stop()


async def _stop(app: Sanic) -> None:
    state: AppState = app.ctx.state
    if state.pubsub is not None:
        state.pubsub.stop()
    if state.outbox_relay is not None:
        state.outbox_relay.stop()
    if state.reminder_sweeper is not None:
        state.reminder_sweeper.stop()
        state.reminder_sweeper = None
    if state.background_tasks:
        # the listener notices the stop flag within a second; cancel only as a last resort
        _, pending = await asyncio.wait(state.background_tasks, timeout=3)
        for task in pending:
            task.cancel()
    state.background_tasks.clear()
    if state.worker is not None:
        stop_worker(state.worker)
        state.worker = None
    if state.redis is not None:
        await state.redis.close()
    await close_database()
    state.metrics.app_stopped()
