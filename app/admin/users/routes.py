"""/users under a mount (app.core.mount): users administration (SPEC §5), PlatformAdmin and
above, under the `admin` rate policy."""

from __future__ import annotations

from uuid import UUID

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.admin.users.schemas import UserAdminUpdate, UserAdminView, UserListQuery, UserSearch
from app.admin.users.service import UsersAdministration
from app.core import responses
from app.core.access import PLATFORM_ADMIN
from app.core.endpoint import endpoint
from app.core.mount import Mount
from app.core.request import TandemRequest


def blueprint(mount: Mount, *, users: UsersAdministration) -> Blueprint:
    """Handlers use the service given here, built once at start-up (app.capabilities)."""
    bp = mount.blueprint("admin_users", url_prefix="/users")

    @bp.get("")
    @endpoint(
        PLATFORM_ADMIN,
        query=UserListQuery,
        response=UserAdminView,
        listing=True,
        summary="Every user (administrators)",
        tag="users",
        description="Newest first; erased accounts are listed too (`deleted`). "
        "To find someone by name or email use POST /users/search: no personal data in URLs.",
    )
    async def list_users(request: TandemRequest, query: UserListQuery) -> HTTPResponse:
        return responses.listing(await users.list_users(query))

    @bp.post("/search")
    @endpoint(
        PLATFORM_ADMIN,
        body=UserSearch,
        response=UserAdminView,
        listing=True,
        summary="Find users by name, nickname or email (administrators)",
        tag="users",
        description="Case-insensitive, anywhere in the name, nickname or email. The query "
        "and the page (`limit`, `cursor` or `offset`) travel in the body, so no personal "
        "data reaches a URL or an access log; a cursor works only with the query it came from.",
    )
    async def search_users(request: TandemRequest, body: UserSearch) -> HTTPResponse:
        return responses.listing(await users.search(body))

    @bp.get("/<user_id:uuid>")
    @endpoint(
        PLATFORM_ADMIN,
        response=UserAdminView,
        problems=(404,),
        summary="One user (administrators)",
        tag="users",
    )
    async def get_user(request: TandemRequest, user_id: UUID) -> HTTPResponse:
        return responses.ok(await users.get(user_id))

    @bp.patch("/<user_id:uuid>")
    @endpoint(
        PLATFORM_ADMIN,
        body=UserAdminUpdate,
        response=UserAdminView,
        problems={
            403: "Only an Owner changes global roles or disables an Owner; nobody disables themself",
            404: None,
            409: "The change would leave the installation without an Owner",
            422: "An erased account cannot be enabled",
        },
        summary="Disable or enable a user, or change their global role",
        tag="users",
        description="Disabling ends every session of the user at once (their next request is "
        "401) and refuses their sign-ins, answered like a wrong password. Granting or "
        "withdrawing a global role (null) is for Owners only; the user's sessions see the "
        "new role on their next request. Each change is recorded in the audit log.",
    )
    async def update_user(request: TandemRequest, user_id: UUID, body: UserAdminUpdate) -> HTTPResponse:
        return responses.ok(await users.update(request.actor, user_id, body))

    return bp
