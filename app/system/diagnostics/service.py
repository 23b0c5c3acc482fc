"""What an operator asks first about a running installation (SPEC §4): its version, which
settings differ from the defaults (names only: values are often secrets), whether the
database has every migration, and how much background work is waiting."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from aerich.models import Aerich
from pydantic import BaseModel

from app.core import queues
from app.core.database import APP_LABEL, migrations_location
from app.core.settings import Settings
from app.system.diagnostics.schemas import (
    BrokerQueues,
    Diagnostics,
    MigrationState,
    OutboxQueue,
    QueueDepths,
)
from app.version import VERSION

MIGRATION_FILE = re.compile(r"^(\d+)_.+\.py$")


class DiagnosticsService:
    """Built at start-up (app.capabilities) with the whole settings (it reports on all of
    them, by name) and a blocking read of the broker's queue lengths (app.core.queues)."""

    def __init__(self, *, settings: Settings, read_broker_depths: queues.ReadDepths) -> None:
        self.settings = settings
        self.read_broker_depths = read_broker_depths
        # settings do not change while the app runs
        self.settings_set = settings_differing_from_defaults(settings)

    async def report(self) -> Diagnostics:
        backlog = await queues.outbox_backlog()
        return Diagnostics(
            version=VERSION,
            settings_set=self.settings_set,
            migrations=await self._migrations(),
            queues=QueueDepths(
                outbox=OutboxQueue(depth=backlog.depth, oldest_age_seconds=backlog.oldest_age_seconds),
                broker=BrokerQueues(
                    kind=self._broker_kind(), depths=await queues.broker_depths(self.read_broker_depths)
                ),
            ),
        )

    def _broker_kind(self) -> Literal["redis", "rabbitmq", "in-process"]:
        scheme = self.settings.broker_url.partition("://")[0]
        if not scheme:
            return "in-process"
        return "rabbitmq" if scheme.startswith("amqp") else "redis"

    async def _migrations(self) -> MigrationState:
        database = self.settings.database
        available = shipped_migrations(Path(migrations_location(database)) / APP_LABEL)
        recorded = await Aerich.filter(app=APP_LABEL).values_list("version", flat=True)
        return migration_state(database.dialect, available=available, recorded=recorded)


def migration_state(
    dialect: Literal["sqlite", "postgres"], *, available: list[str], recorded: list[Any]
) -> MigrationState:
    """`recorded`: aerich's versions (file names) of what was applied."""
    applied = sorted({str(version).removesuffix(".py") for version in recorded}, key=_number)
    pending = [name for name in available if name not in set(applied)]
    return MigrationState(
        dialect=dialect, applied=applied, available=available, pending=pending, up_to_date=not pending
    )


def shipped_migrations(folder: Path) -> list[str]:
    names = [path.stem for path in folder.glob("*.py") if MIGRATION_FILE.match(path.name)]
    return sorted(names, key=_number)


def _number(name: str) -> int:
    return int(name.split("_", 1)[0]) if name.split("_", 1)[0].isdigit() else -1


def settings_differing_from_defaults(settings: Settings) -> list[str]:
    """`section.name` of every setting whose value is not the built-in default (a
    `config.toml` that restates a default sets nothing). Values are never read out."""
    names = []
    for section_name in type(settings).model_fields:
        section: BaseModel = getattr(settings, section_name)
        for name, field in type(section).model_fields.items():
            if field.is_required() or getattr(section, name) != field.get_default(call_default_factory=True):
                names.append(f"{section_name}.{name}")
    return sorted(names)
