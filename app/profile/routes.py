"""/api/v1/profile: profile changes confirmed by email (SPEC §3)."""

from __future__ import annotations

from sanic import Blueprint

bp = Blueprint("profile", url_prefix="/profile")
