"""Queries on the hot path, built by Tortoise once and then run with fresh values.

Tortoise builds SQL anew for every query: 240–480 µs of CPU for a list page (measured on
the bench machine), more than a whole GET /me. A `CompiledQuery` asks Tortoise for a
query's SQL once per database dialect and shape, with a unique stand-in value in each
slot, notes which parameter position each stand-in took (and whether Tortoise passed it
as is or as text), and afterwards only substitutes the request's values and runs the SQL
on Tortoise's connection:

    MEMBERS = CompiledQuery(
        lambda slot, shape: OrganizationUser.filter(organization_id=slot.organization_id)
        .order_by("-created_at", "-id").limit(slot.limit).values("id", "created_at"),
        organization_id=UUID, limit=int,
    )
    rows = await MEMBERS.fetch(organization_id=..., limit=51)

A compiled query is declared once, at import, beside the service that runs it: it holds
only the SQL text per dialect and shape, a memo of what Tortoise would build anyway, the
same for every app of the process (no connection, no data).

A slot given as None is left out of the shape (`shape` names the slots given), so one
compiled query serves its optional filters. Rows come back as the driver gives them:
`as_uuid` and `as_datetime` read the column types the same on PostgreSQL and SQLite.

Several built queries can make one statement (one round trip): `build` returns a
`Combine(template, *queries)`, whose template places each query's SQL (`{0}`, `{1}`, …)
and, where SQL of its own needs a value, a slot's parameter (`{limit}`). Each place is
numbered in turn, so PostgreSQL's `$k` of a later query are renumbered and SQLite's `?`
stay in order (app.core.counted_list builds a page and its count this way).
"""

from __future__ import annotations

import re
import secrets
import string
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.expressions import Q
from tortoise.queryset import AwaitableQuery

from app.core.unit_of_work import CONNECTION


@dataclass(frozen=True, init=False)
class Combine:
    """One statement made of built queries: `template` holds `{0}`, `{1}`… (or `{}` in
    turn) where each query's SQL goes, and `{slot}` where a slot's value is a parameter."""

    template: str
    queries: tuple[AwaitableQuery[Any], ...]

    def __init__(self, template: str, *queries: AwaitableQuery[Any]) -> None:
        object.__setattr__(self, "template", template)
        object.__setattr__(self, "queries", queries)


Build = Callable[[Any, frozenset[str]], "AwaitableQuery[Any] | Combine"]
_POSTGRES_PARAMETER = re.compile(r"\$(\d+)")


class _Slots:
    """Stand-ins, one per slot, each unique and of the slot's type."""

    def __init__(self, types: dict[str, type]) -> None:
        self.values: dict[str, Any] = {name: _stand_in(kind) for name, kind in types.items()}

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(f"no slot {name!r}") from None


def _stand_in(kind: type) -> Any:
    if kind is uuid.UUID:
        return uuid.uuid4()
    if kind is int:
        return 1_000_000_000 + secrets.randbelow(1_000_000_000)
    if kind is datetime:
        return datetime(1901, 1, 1, tzinfo=UTC) + timedelta(microseconds=secrets.randbelow(10**12))
    if kind is str:
        return secrets.token_hex(4)  # short: it passes the column's max_length check
    raise TypeError(f"CompiledQuery: no stand-in for slots of type {kind.__name__}")


class _Compiled:
    def __init__(self, sql: str, positions: list[tuple[str, bool]]) -> None:
        self.sql = sql
        # per parameter: the slot it takes, and whether Tortoise passed it as text
        self.positions = positions

    def parameters(self, values: dict[str, Any]) -> list[Any]:
        return [str(values[name]) if as_text else values[name] for name, as_text in self.positions]


class CompiledQuery:
    def __init__(self, build: Build, *, wrap: str = "{}", **slot_types: type) -> None:
        """`wrap`: a template the built SQL is placed into (`{}`), e.g. a count around it."""
        self._build = build
        self._wrap = wrap
        self._slot_types = slot_types
        self._compiled: dict[tuple[str, frozenset[str]], _Compiled] = {}

    async def fetch(self, **values: Any) -> Sequence[Mapping[str, Any]]:
        """The rows, as mappings by column name (asyncpg's records on PostgreSQL)."""
        unknown = set(values) - set(self._slot_types)
        if unknown:
            raise TypeError(f"CompiledQuery: unknown slots {sorted(unknown)}")
        given = {name: value for name, value in values.items() if value is not None}
        client = connections.get(CONNECTION)
        shape = frozenset(given)
        dialect = client.capabilities.dialect
        compiled = self._compiled.get((dialect, shape))
        if compiled is None:
            compiled = self._compiled[(dialect, shape)] = self._compile(shape, dialect)
        parameters = compiled.parameters(given)
        if dialect == "postgres":
            # asyncpg's records straight from the pooled (or the transaction's) connection:
            # they read like dicts, and making dicts of them cost a twentieth of a page
            async with client.acquire_connection() as connection:
                return await connection.fetch(compiled.sql, *parameters)  # type: ignore[no-any-return]
        return await client.execute_query_dict(compiled.sql, parameters)

    def _compile(self, shape: frozenset[str], dialect: str) -> _Compiled:
        slots = _Slots({name: kind for name, kind in self._slot_types.items() if name in shape})
        built = self._build(slots, shape)
        combined = built if isinstance(built, Combine) else Combine(self._wrap, built)
        parts = [_parameterized(query, slots) for query in combined.queries]
        text: list[str] = []
        positions: list[tuple[str, bool]] = []
        automatic = iter(range(len(parts)))
        for literal, field, _, _ in string.Formatter().parse(combined.template):
            text.append(literal)
            if field is None:
                continue
            if field == "" or field.isdigit():
                sql, taken = parts[next(automatic) if field == "" else int(field)]
                if dialect == "postgres" and positions:
                    sql = _renumbered(sql, after=len(positions))
                text.append(sql)
                positions.extend(taken)
            elif field in slots.values:
                positions.append((field, False))
                text.append(f"${len(positions)}" if dialect == "postgres" else "?")
            else:
                raise ValueError(f"CompiledQuery: {{{field}}} names no slot of this shape")
        missing = set(slots.values) - {name for name, _ in positions}
        if missing:
            # written into the SQL text rather than passed: every run would reuse the stand-in
            raise ValueError(f"CompiledQuery: slots {sorted(missing)} are not parameters of the SQL")
        return _Compiled("".join(text), positions)


def _renumbered(sql: str, *, after: int) -> str:
    """PostgreSQL SQL whose $1… follow `after` parameters placed before it (Tortoise passes
    every value as a parameter, so a `$` is never part of a literal here)."""
    return _POSTGRES_PARAMETER.sub(lambda number: f"${int(number[1]) + after}", sql)


def _parameterized(query: AwaitableQuery[Any], slots: _Slots) -> tuple[str, list[tuple[str, bool]]]:
    """A built query's SQL, and per parameter the slot it takes and whether as text."""
    query._choose_db_if_not_chosen()
    query._make_query()
    sql, parameters = query.query.get_parameterized_sql()
    by_value = {value: name for name, value in slots.values.items()}
    by_text = {str(value): name for name, value in slots.values.items()}
    positions = []
    for parameter in parameters:
        if parameter in by_value and type(parameter) is type(slots.values[by_value[parameter]]):
            positions.append((by_value[parameter], False))
        elif isinstance(parameter, str) and parameter in by_text:
            positions.append((by_text[parameter], True))
        else:
            # a constant of the query itself would be frozen into every run: refuse
            raise ValueError(f"CompiledQuery: parameter {parameter!r} is not a slot; make it one")
    return sql, positions


def as_uuid(value: Any) -> uuid.UUID:
    """A uuid column as a UUID (SQLite returns text; asyncpg its own UUID subclass, kept)."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def as_datetime(value: Any) -> datetime:
    """A timestamp column as an aware UTC datetime (SQLite returns text)."""
    if type(value) is datetime and value.tzinfo is UTC:
        return value  # asyncpg's timestamptz, as it is
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class CompiledList:
    """A list's page, bounded count and full count, compiled from one filtered base query
    (`base(slot, shape)`, no order or limit) for app.core.pagination's fast path. Rows come
    newest first by (created_at, id), as `values(*columns, **aliases)` gives them."""

    def __init__(
        self, base: Build, columns: tuple[str, ...], aliases: dict[str, str], **slot_types: type
    ) -> None:
        self.page = CompiledQuery(
            lambda slot, shape: _window(_after_cursor(base(slot, shape), slot, shape), slot, shape).values(
                *columns, **aliases
            ),
            **slot_types,
            limit=int,
            offset=int,
            cursor_created_at=datetime,
            cursor_id=uuid.UUID,
        )
        self.bounded_count = CompiledQuery(
            lambda slot, shape: base(slot, shape).limit(slot.bound).values("id"),
            wrap="SELECT COUNT(*) AS n FROM ({}) AS bounded",
            **slot_types,
            bound=int,
        )
        self.full_count = CompiledQuery(lambda slot, shape: base(slot, shape).count(), **slot_types)


def _window(query: Any, slot: Any, shape: frozenset[str]) -> Any:
    query = query.order_by("-created_at", "-id").limit(slot.limit)
    return query.offset(slot.offset) if "offset" in shape else query


def _after_cursor(query: Any, slot: Any, shape: frozenset[str]) -> Any:
    if "cursor_id" not in shape:
        return query
    # `created_at <= c` repeats what the OR implies, so the index range scan starts at the cursor
    return query.filter(
        Q(created_at__lte=slot.cursor_created_at),
        Q(created_at__lt=slot.cursor_created_at)
        | Q(created_at=slot.cursor_created_at, id__lt=slot.cursor_id),
    )
