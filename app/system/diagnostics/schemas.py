"""Shape of GET /system/diagnostics."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class MigrationState(BaseModel):
    dialect: Literal["sqlite", "postgres"]
    applied: list[str] = Field(description="Migrations recorded as applied, oldest first")
    available: list[str] = Field(description="Migrations this version ships, oldest first")
    pending: list[str] = Field(description="Shipped but not applied: run `python server.py migrate`")
    up_to_date: bool


class OutboxQueue(BaseModel):
    depth: int
    oldest_age_seconds: float


class BrokerQueues(BaseModel):
    kind: Literal["redis", "rabbitmq", "in-process"]
    depths: dict[str, int] | None = Field(
        description="Messages per queue: `<q>` ready, `<q>.DQ` delayed, `<q>.XQ` dead letters; "
        "null when the broker did not answer in time or cannot tell (RabbitMQ)"
    )


class QueueDepths(BaseModel):
    outbox: OutboxQueue
    broker: BrokerQueues


class Diagnostics(BaseModel):
    version: str
    settings_set: list[str] = Field(
        description="Settings whose value differs from the built-in default, as `section.name`; "
        "names only, never values"
    )
    migrations: MigrationState
    queues: QueueDepths
