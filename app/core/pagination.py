"""Pagination (SPEC §1): `limit`, and a signed `cursor` or an `offset`.

Order is newest first by (created_at, id), which is total, so a cursor page never
skips or repeats a row even when rows share a timestamp. A cursor is signed and
bound to the list it came from: a tampered or borrowed cursor is a 400.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from itsdangerous import BadSignature, URLSafeSerializer
from pydantic import BaseModel, Field, model_validator
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from app.core import errors
from app.core.compiled_query import CompiledList, as_datetime, as_uuid
from app.core.counted_list import TOTAL, CountedList, page_rows
from app.core.list_totals import ListTotals
from app.core.schemas import RequestModel
from app.core.settings import PaginationSettings

Item = TypeVar("Item", bound=BaseModel)


class PageQuery(RequestModel):
    limit: int | None = Field(None, ge=1, le=200, description="Page size (default 50, max 200)")
    cursor: str | None = Field(None, max_length=512, description="`meta.next_cursor` of the previous page")
    offset: int | None = Field(None, ge=0, le=1_000_000, description="Rows to skip (instead of a cursor)")

    @model_validator(mode="after")
    def _cursor_or_offset(self) -> PageQuery:
        if self.cursor is not None and self.offset is not None:
            raise ValueError("give either cursor or offset, not both")
        return self


@dataclass(frozen=True, slots=True)
class Page(Generic[Item]):
    items: Sequence[Item]
    total_count: int
    limit: int
    next_cursor: str | None


class Paginator:
    def __init__(self, *, secret_key: str, settings: PaginationSettings):
        self._secret_key = secret_key
        self._settings = settings
        self._totals = ListTotals(settings)

    def _serializer(self, scope: str) -> URLSafeSerializer:
        return URLSafeSerializer(self._secret_key, salt=f"tandem.cursor.{scope}")

    async def paginate(
        self,
        queryset: QuerySet[Any],
        page: PageQuery,
        *,
        scope: str,
        to_item: Callable[[Any], Item],
    ) -> Page[Item]:
        """One page of `queryset`, newest first; `scope` names the list for its cursors."""
        limit = self._limit(page)
        total_count = await self._totals.count(queryset)
        ordered = queryset.order_by("-created_at", "-id")
        if page.cursor is not None:
            created_at, row_id = self._decode(page.cursor, scope)
            # the redundant `created_at <= …` bound is what lets the database start its
            # (…, created_at, id) index scan at the cursor: without it the OR is only a
            # filter, and a page deep in a long list reads every newer row first
            ordered = ordered.filter(
                Q(created_at__lte=created_at),
                Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=row_id),
            )
        elif page.offset:
            ordered = ordered.offset(page.offset)
        rows = await ordered.limit(limit + 1)
        has_more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = None
        if has_more:
            last = rows[-1]
            next_cursor = self._serializer(scope).dumps([last.created_at.isoformat(), str(last.id)])
        return Page([to_item(row) for row in rows], total_count, limit, next_cursor)

    async def paginate_compiled(
        self,
        query: CompiledList | CountedList,
        page: PageQuery,
        *,
        scope: str,
        values: dict[str, Any],
        to_item: Callable[[Mapping[str, Any]], Any],
        cursor_column: str = "created_at",
    ) -> Page[Any]:
        """`paginate` for a hot list compiled once (app.core.compiled_query): the same
        pages, cursors and totals, without building SQL per request. `values` fill the
        list's slots; the query and they key its cached total (`scope` names the list for
        its cursors). `cursor_column`: the time column a list ordered otherwise than by
        `created_at` is ordered by (its cursor is that column and the id; the query's
        `cursor_created_at` slot receives it). A `CountedList` brings its bounded count
        with the page: one statement (app.core.counted_list)."""
        limit = self._limit(page)
        key = (id(query), tuple(sorted(values.items())))

        async def full_count() -> int:
            return _first_value(await query.full_count.fetch(**values))

        cursor_created_at = cursor_id = offset = None
        if page.cursor is not None:
            cursor_created_at, cursor_id = self._decode(page.cursor, scope)
        elif page.offset:
            offset = page.offset
        # the offset is the database's to skip: rows skipped here would all be fetched
        # first (a page at offset 1,000,000 would read a million rows into the process)
        window = {
            "limit": limit + 1,
            "offset": offset,
            "cursor_created_at": cursor_created_at,
            "cursor_id": cursor_id,
        }
        if isinstance(query, CountedList):
            cached = self._totals.cached(key)
            bound = None if cached is not None else self._totals.bound
            rows = await query.page.fetch(**values, **window, bound=bound)
            if cached is None:
                counted = int(rows[0][TOTAL]) if rows else 0
                rows = page_rows(rows)
                total_count = await self._totals.settle(key, counted, full_count)
            else:
                total_count = cached
        else:

            async def bounded_count() -> int:
                return _first_value(await query.bounded_count.fetch(**values, bound=self._totals.bound))

            total_count = await self._totals.count_by_key(key, bounded_count, full_count)
            rows = await query.page.fetch(**values, **window)
        has_more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = None
        if has_more:
            last = rows[-1]
            created_at = as_datetime(last[cursor_column])
            next_cursor = self._serializer(scope).dumps([created_at.isoformat(), str(as_uuid(last["id"]))])
        return Page([to_item(row) for row in rows], total_count, limit, next_cursor)

    def _limit(self, page: PageQuery) -> int:
        limit = page.limit if page.limit is not None else self._settings.default_limit
        if limit > self._settings.max_limit:
            raise errors.ValidationFailed.of_field("limit", f"must be at most {self._settings.max_limit}")
        return limit

    def _decode(self, cursor: str, scope: str) -> tuple[datetime, UUID]:
        try:
            created_at, row_id = self._serializer(scope).loads(cursor)
            return datetime.fromisoformat(created_at), UUID(row_id)
        except (BadSignature, ValueError, TypeError):
            raise errors.InvalidCursor("cursor: not a cursor this list issued") from None


def _first_value(rows: Sequence[Mapping[str, Any]]) -> int:
    return int(next(iter(rows[0].values()))) if rows else 0


def given_filters(
    queryset: QuerySet[Any], query: BaseModel, names: Sequence[str]
) -> tuple[QuerySet[Any], str]:
    """`queryset` filtered by each of the query's fields `names` the client gave (None: not
    filtered), and their values as part of a cursor's scope (a cursor serves the filters
    it was made for only)."""
    values = {name: getattr(query, name) for name in names}
    given = {name: value for name, value in values.items() if value is not None}
    return (queryset.filter(**given) if given else queryset), ":".join(
        str(value) for value in values.values()
    )
