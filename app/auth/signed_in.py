"""The answer to a completed sign-in, by password (app.auth.routes) or second factor
(app.auth.mfa.routes): here so that neither route module imports the other."""

from __future__ import annotations

from sanic.response import HTTPResponse

from app.auth.cookies import SessionCookies
from app.auth.service import SignInResult
from app.core import responses


def signed_in_response(result: SignInResult, cookies: SessionCookies) -> HTTPResponse:
    """The sign-in answer; a cookie session also gets its cookie."""
    response = responses.ok(result.body)
    if result.cookie_token is not None:
        cookies.set(response, result.cookie_token)
    return response
