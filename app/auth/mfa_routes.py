"""/api/v1/auth/mfa: TOTP enrollment, activation, sign-in verification, disable (SPEC §2)."""

from __future__ import annotations

from sanic import Blueprint

bp = Blueprint("auth_mfa", url_prefix="/auth/mfa")
