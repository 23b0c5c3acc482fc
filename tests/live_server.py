"""A real Tandem server on a loopback port, in the test's event loop, with an HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from sanic import Sanic

from app.capabilities import CAPABILITIES, Capability
from app.core.settings import Settings
from app.main import create_app
from app.state import AppState
from tests.redis_process import free_port

Sanic.test_mode = True


@dataclass
class LiveServer:
    app: Sanic
    url: str
    client: httpx.AsyncClient  # sends the client key on every request
    bare: httpx.AsyncClient  # sends nothing it is not told to

    @property
    def state(self) -> AppState:
        return self.app.ctx.state


@asynccontextmanager
async def start_server(
    settings: Settings,
    *,
    name: str,
    prepare: Callable[[Sanic], None] | None = None,
    capabilities: tuple[Capability, ...] = CAPABILITIES,
) -> AsyncIterator[LiveServer]:
    """`prepare` may add test-only routes before the server starts."""
    app = create_app(settings, name=name, capabilities=capabilities)
    # TouchUp rewrites Sanic's hot functions for the app's shape: worth it once per
    # production process, not once per test (~40 ms)
    app.config.TOUCHUP = False
    if prepare is not None:
        prepare(app)
    # Sanic reads port 0 as "default" (8000), so pick a free port ourselves
    server = await app.create_server(
        host="127.0.0.1", port=free_port(), return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    port = server.server.sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    client_key = settings.security.client_api_keys[0]
    # plain HTTP on loopback: no TLS context to build (loading CA certificates cost
    # ~45 ms a client)
    client = httpx.AsyncClient(base_url=url, headers={"X-Client-Key": client_key}, timeout=10, verify=False)
    bare = httpx.AsyncClient(base_url=url, timeout=10, verify=False)
    try:
        yield LiveServer(app=app, url=url, client=client, bare=bare)
    finally:
        await client.aclose()
        await bare.aclose()
        await server.before_stop()
        await server.close()
        await server.after_stop()
        Sanic._app_registry.pop(name, None)
