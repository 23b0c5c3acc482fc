"""/api/v1/me and my organizations."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import HTTPResponse

from app.core import responses
from app.core.access import AUTHENTICATED
from app.core.endpoint import endpoint
from app.core.pagination import PageQuery
from app.core.request import TandemRequest
from app.organizations import service as organizations
from app.organizations.schemas import MembershipPublic
from app.users.schemas import UserPublic

bp = Blueprint("me", url_prefix="/me")


@bp.get("")
@endpoint(AUTHENTICATED, response=UserPublic, summary="The signed-in user", tag="me")
async def me(request: TandemRequest) -> HTTPResponse:
    # Served from the session snapshot: no database query on this hot path.
    return HTTPResponse(
        b'{"data":' + request.principal.user_json + b"}", content_type=responses.JSON
    )


@bp.get("/organizations")
@endpoint(AUTHENTICATED, query=PageQuery, response=MembershipPublic, listing=True,
          summary="My organizations, with my role in each", tag="me")
async def my_organizations(request: TandemRequest, query: PageQuery) -> HTTPResponse:
    state = request.app.ctx.state
    page = await organizations.list_memberships(
        user_id=request.principal.user_id, page=query, paginator=state.paginator
    )
    return responses.listing(page.items, total_count=page.total_count, limit=page.limit,
                             next_cursor=page.next_cursor)
