"""The answer to a completed sign-in, by password (app.auth.routes) or second factor
(app.auth.mfa.routes): here so that neither route module imports the other."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sanic.response import HTTPResponse

from app.auth.cookies import set_session_cookie
from app.auth.service import SignInResult
from app.core import responses

if TYPE_CHECKING:
    from app.state import AppState


def signed_in_response(result: SignInResult, state: AppState) -> HTTPResponse:
    """The sign-in answer; a cookie session also gets its cookie."""
    response = responses.ok(result.body)
    if result.cookie_token is not None:
        set_session_cookie(response, state, result.cookie_token)
    return response
