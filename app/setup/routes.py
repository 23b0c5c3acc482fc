"""/setup under a mount (app.core.mount): first-run status and bootstrap (SPEC §4)."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.core import responses
from app.core.access import Access
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.request import TandemRequest
from app.setup.schemas import Bootstrap, Bootstrapped, SetupStatus
from app.setup.service import SetupService, needs_setup

# SPEC §1: /setup is under the `admin` rate policy
SETUP = Access(authenticated=False, rate_policy="admin")


def blueprint(mount: Mount, *, setup: SetupService) -> Blueprint:
    """Handlers use the service given here, built once at start-up (app.capabilities)."""
    bp = mount.blueprint("setup", url_prefix="/setup")

    @bp.get("/status")
    @endpoint(
        SETUP, response=SetupStatus, summary="Whether this installation still needs set-up", tag="setup"
    )
    async def status(request: TandemRequest) -> HTTPResponse:
        return responses.ok(SetupStatus(needs_setup=await needs_setup()))

    @bp.post("/bootstrap")
    @endpoint(
        SETUP,
        body=Bootstrap,
        response=Bootstrapped,
        status=201,
        problems=(403, 409),
        summary="Create the first user as Owner (with the setup token)",
        tag="setup",
    )
    async def bootstrap(request: TandemRequest, body: Bootstrap) -> HTTPResponse:
        setup.check_token(body.setup_token)
        result = await setup.bootstrap(body)
        return responses.created(result, location=mount.path("/me"))

    return bp
