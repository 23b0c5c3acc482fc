"""The organization a coaching route acts in. Coaching routes are not under
/organizations/{id} (SPEC §6): the organization link chose it from `X-Organization-Id`,
else the user's current organization, and checked the membership."""

from __future__ import annotations

from uuid import UUID

from app.core import errors
from app.core.membership import NO_SUCH_ORGANIZATION
from app.core.request import TandemRequest


def acting_organization(request: TandemRequest) -> UUID:
    """Set by middleware.organization on every `organization` route; fails closed."""
    organization_id = request.ctx.organization_id
    if organization_id is None:
        raise errors.NotFound(NO_SUCH_ORGANIZATION)
    return organization_id
