"""Shapes of the system routes."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ApiIndex(BaseModel):
    name: str
    version: str
    docs: dict[str, str] = Field(description="Links to the OpenAPI document and its viewers")


class Health(BaseModel):
    status: str = Field(
        description='"ok"; when a check fails the answer is a 503 problem with the same `checks`'
    )
    checks: dict[str, str] = Field(description='database, redis, broker: "ok", "down" or "not_configured"')
    rate_limits: str = Field(
        description='"shared" (Redis), "local" (no Redis configured) or "fallback" (Redis down)'
    )


class Liveness(BaseModel):
    status: str = Field(description='"ok" whenever the process answers; dependencies are not checked')
