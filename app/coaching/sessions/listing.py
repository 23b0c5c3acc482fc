"""GET /sessions: the hot list (a benchmark lists a coach's 10,000 sessions), compiled once.

Who sees what: Managers and above the organization's sessions; a coach or a teacher only
those they take part in (`participant_id` narrows either: for a participant, to sessions
shared with that user). Every query carries the organization.

A participant's sessions are those where they are the coach OR the teacher. PostgreSQL
cannot walk one index in order for an OR of two columns (it would read every one of the
person's sessions and sort them), so the page is two halves, one per role, each an index
range scan of `(organization_id, coach_id | teacher_id, created_at, id)` that stops after
a page, merged by the database in the same statement as the sum of the halves' bounded
counts (app.core.counted_list): a page is one statement, the same at 1,000 or 100,000
sessions (a long list's full count aside, cached: app.core.list_totals). An `offset` page
(offered for short lists) reads one OR query instead, so the database skips the rows, not
this process. Nobody is the coach and the teacher of one session, so the halves never
share a row.

`sort=starts_at|-starts_at` orders by start time (cursor on (starts_at, id)); it is served
by the same filters without a dedicated index: fine for a person's or a mentorship's
calendar, not meant for paging a whole large organization.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.expressions import Q

from app.coaching.sessions.schemas import PUBLIC_FIELDS, SessionQuery
from app.core import policy
from app.core.compiled_query import Build, as_datetime, as_uuid
from app.core.counted_list import TOTAL, CountedList
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


def _ordered(base: Build, column: str, descending: bool) -> Any:
    """`base`'s page in the order of (`column`, id), from the cursor on."""
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


def _lists(column: str, descending: bool) -> tuple[CountedList, CountedList]:
    """The organization's list and a participant's, in one order."""
    order = ((column, descending), ("id", descending))
    organization_page = _ordered(_filtered(), column, descending)
    organization = CountedList(
        lambda slot, shape: (organization_page(slot, shape),),
        lambda slot, shape: (_filtered()(slot, shape),),
        order=order,
        **SLOTS,
    )
    halves = (_party("coach", "teacher"), _party("teacher", "coach"))
    half_pages = tuple(_ordered(half, column, descending) for half in halves)
    either_page = _ordered(_either, column, descending)

    def participant_pages(slot: Any, shape: frozenset[str]) -> tuple[Any, ...]:
        if "offset" in shape:
            # the database skips the rows of the one OR query (halves cannot skip alone)
            return (either_page(slot, shape),)
        return tuple(page(slot, shape) for page in half_pages)

    participant = CountedList(
        participant_pages,
        lambda slot, shape: tuple(half(slot, shape) for half in halves),
        order=order,
        **SLOTS,
    )
    return organization, participant


ORDERS = {
    "-created_at": ("created_at", *_lists("created_at", True)),
    "starts_at": ("starts_at", *_lists("starts_at", False)),
    "-starts_at": ("starts_at", *_lists("starts_at", True)),
}


class SessionLists:
    def __init__(self, paginator: Paginator) -> None:
        self.paginator = paginator

    async def page(self, actor: Actor, organization_id: UUID, query: SessionQuery) -> Page[dict[str, Any]]:
        column, organization, participant = ORDERS[query.sort]
        values: dict[str, Any] = {name: getattr(query, name) for name in FILTERS}
        values["organization_id"] = organization_id
        if policy.may_list_all_sessions(actor):
            party, other = query.participant_id, None
        else:
            party = actor.user_id
            other = query.participant_id if query.participant_id != actor.user_id else None
        values |= {"party": party, "other": other}
        return await self.paginator.paginate_compiled(
            organization if party is None else participant,
            query,
            scope=f"sessions:{organization_id}:{actor.user_id}:{query.sort}",
            values=values,
            to_item=_row,
            cursor_column=column,
        )


ID_FIELDS = tuple(name for name in PUBLIC_FIELDS if name in IDS)


def _row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row as CoachingSessionPublic serializes (listing_rows writes it with orjson)."""
    if not isinstance(row, dict):
        # asyncpg's record (PostgreSQL): times are aware UTC datetimes already; its own UUID
        # type orjson does not take, so as text. A quarter of the per-row loop below.
        item = dict(zip(row.keys(), row, strict=True))  # faster than dict(row), by name
        item.pop(TOTAL, None)  # the page's total (app.core.counted_list), not the session's
        for name in ID_FIELDS:
            value = item[name]
            if value is not None:
                item[name] = str(value)
        return item
    item = {}
    for name in PUBLIC_FIELDS:  # SQLite's text
        value = row[name]
        if value is not None and name in TIMES:
            value = as_datetime(value)
        elif value is not None and name in IDS:
            value = as_uuid(value)
        item[name] = value
    return item
