"""GET /sessions: the hot list (a benchmark lists a coach's 10,000 sessions), compiled once.

Who sees what: Managers and above the organization's sessions; a coach or a teacher only
those they take part in (`participant_id` narrows either: for a participant, to sessions
shared with that user). Every query carries the organization.

A participant's sessions are those where they are the coach OR the teacher. PostgreSQL
cannot walk one index in order for an OR of two columns (it would read every one of the
person's sessions and sort them), so the list is two compiled queries, one per role, each
an index range scan of `(organization_id, coach_id | teacher_id, created_at, id)` that
stops after a page, merged here: a page costs two short scans, the same at 1,000 or
100,000 sessions, and its total the sum of two bounded counts. An `offset` page (offered
for short lists) runs one OR query instead, so the database skips the rows, not this
process. Nobody is the coach and the teacher of one session, so the halves never share a row.

`sort=starts_at|-starts_at` orders by start time (cursor on (starts_at, id)); it is served
by the same filters without a dedicated index: fine for a person's or a mentorship's
calendar, not meant for paging a whole large organization.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.expressions import Q

from app.coaching.sessions.schemas import PUBLIC_FIELDS, SessionQuery
from app.core import policy
from app.core.compiled_query import Build, CompiledQuery, as_datetime, as_uuid
from app.core.pagination import Page, Paginator
from app.core.policy import Actor
from app.core.scoping import scoped
from models import CoachingSession

# query filter → the lookup it becomes (sessions overlapping [from, to))
FILTERS = {
    "status": "status",
    "mentorship_id": "mentorship_id",
    "series_id": "series_id",
    "starts_from": "ends_at__gt",
    "to": "starts_at__lt",
}
SLOTS: dict[str, type] = {
    "organization_id": UUID,
    "party": UUID,
    "other": UUID,
    "status": str,
    "mentorship_id": UUID,
    "series_id": UUID,
    "starts_from": datetime,
    "to": datetime,
}
TIMES = frozenset(
    {"starts_at", "ends_at", "cancelled_at", "started_at", "completed_at", "created_at", "updated_at"}
)
IDS = frozenset({"id", "organization_id", "mentorship_id", "series_id", "coach_id", "teacher_id"})


def _filtered(*where: Q, **lookups: Any) -> Build:
    def build(slot: Any, shape: frozenset[str]) -> Any:
        chosen = {lookup: getattr(slot, name) for name, lookup in FILTERS.items() if name in shape}
        extra = {key: getattr(slot, value) for key, value in lookups.items() if value in shape}
        return scoped(CoachingSession, slot.organization_id).filter(*where, **extra, **chosen)

    return build


def _party(role: str, other_role: str) -> Build:
    return _filtered(**{f"{role}_id": "party", f"{other_role}_id": "other"})


def _either(slot: Any, shape: frozenset[str]) -> Any:
    party = Q(coach_id=slot.party) | Q(teacher_id=slot.party)
    query = _filtered(party)(slot, shape)
    if "other" in shape:
        query = query.filter(Q(coach_id=slot.other) | Q(teacher_id=slot.other))
    return query


class Ordered:
    """One base query's page, bounded count and full count, in one order. The cursor slots
    are named as app.core.pagination passes them (`cursor_created_at` holds the value of
    the order column, whichever it is)."""

    def __init__(self, base: Build, *, column: str, descending: bool) -> None:
        self.column, self.descending = column, descending
        self.page = CompiledQuery(
            self._page(base),
            **SLOTS,
            limit=int,
            offset=int,
            cursor_created_at=datetime,
            cursor_id=UUID,
        )
        self.bounded_count = CompiledQuery(
            lambda slot, shape: base(slot, shape).limit(slot.bound).values("id"),
            wrap="SELECT COUNT(*) AS n FROM ({}) AS bounded",
            **SLOTS,
            bound=int,
        )
        self.full_count = CompiledQuery(lambda slot, shape: base(slot, shape).count(), **SLOTS)

    def _page(self, base: Build) -> Build:
        column, descending = self.column, self.descending
        sign, before = ("-", "lt") if descending else ("", "gt")

        def build(slot: Any, shape: frozenset[str]) -> Any:
            query = base(slot, shape)
            if "cursor_id" in shape:
                # the redundant bound lets the index range scan start at the cursor
                at = slot.cursor_created_at
                query = query.filter(
                    Q(**{f"{column}__{before}e": at}),
                    Q(**{f"{column}__{before}": at}) | Q(**{column: at, f"id__{before}": slot.cursor_id}),
                )
            query = query.order_by(f"{sign}{column}", f"{sign}id").limit(slot.limit)
            if "offset" in shape:
                query = query.offset(slot.offset)
            return query.values(*PUBLIC_FIELDS)

        return build

    def key(self, row: Mapping[str, Any]) -> tuple[datetime, UUID]:
        return as_datetime(row[self.column]), as_uuid(row["id"])


class _Fetch:
    def __init__(self, fetch: Any) -> None:
        self.fetch = fetch


class Merged:
    """A participant's list as app.core.pagination.Paginator.paginate_compiled reads a
    CompiledList: the two halves' pages merged, their counts summed."""

    def __init__(self, halves: tuple[Ordered, Ordered], either: Ordered) -> None:
        self.halves, self.either = halves, either
        self.page = _Fetch(self._page)
        self.bounded_count = _Fetch(lambda **values: self._sum("bounded_count", values))
        self.full_count = _Fetch(lambda **values: self._sum("full_count", values))

    async def _page(self, **values: Any) -> Sequence[Mapping[str, Any]]:
        if values.get("offset"):
            return await self.either.page.fetch(**values)
        pages = [await half.page.fetch(**values) for half in self.halves]
        first = self.halves[0]
        merged = heapq.merge(*pages, key=first.key, reverse=first.descending)
        return list(itertools.islice(merged, values["limit"]))

    async def _sum(self, count: str, values: dict[str, Any]) -> list[dict[str, int]]:
        total = 0
        for half in self.halves:
            rows = await getattr(half, count).fetch(**values)
            total += int(next(iter(rows[0].values()))) if rows else 0
        return [{"n": total}]


def _lists(column: str, descending: bool) -> tuple[Ordered, Merged]:
    organization = Ordered(_filtered(), column=column, descending=descending)
    halves = (
        Ordered(_party("coach", "teacher"), column=column, descending=descending),
        Ordered(_party("teacher", "coach"), column=column, descending=descending),
    )
    return organization, Merged(halves, Ordered(_either, column=column, descending=descending))


ORDERS = {
    "-created_at": _lists("created_at", True),
    "starts_at": _lists("starts_at", False),
    "-starts_at": _lists("starts_at", True),
}


class SessionLists:
    def __init__(self, paginator: Paginator) -> None:
        self.paginator = paginator

    async def page(self, actor: Actor, organization_id: UUID, query: SessionQuery) -> Page[dict[str, Any]]:
        organization, merged = ORDERS[query.sort]
        values: dict[str, Any] = {name: getattr(query, name) for name in FILTERS}
        values["organization_id"] = organization_id
        if policy.may_list_all_sessions(actor):
            party, other = query.participant_id, None
        else:
            party = actor.user_id
            other = query.participant_id if query.participant_id != actor.user_id else None
        values |= {"party": party, "other": other}
        compiled = organization if party is None else merged
        column = compiled.halves[0].column if isinstance(compiled, Merged) else compiled.column
        return await self.paginator.paginate_compiled(
            compiled,  # type: ignore[arg-type]
            query,
            scope=f"sessions:{organization_id}:{actor.user_id}:{query.sort}",
            values=values,
            to_item=_row,
            cursor_column=column,
        )


def _row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row as CoachingSessionPublic serializes (listing_rows writes it with orjson)."""
    item = {}
    for name in PUBLIC_FIELDS:
        value = row[name]
        if value is not None and name in TIMES:
            value = as_datetime(value)
        elif value is not None and name in IDS:
            value = as_uuid(value)
        item[name] = value
    return item
