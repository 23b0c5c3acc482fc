"""A list's page that brings its own total: one SQL statement per request.

A page of a list (app.core.pagination) needs its rows and `meta.total_count`, counted
exactly up to `pagination.exact_count_limit` rows with a bounded count (app.core.list_totals).
Sent apart, those are two round trips, and a list that is the union of two index ranges
(a person's sessions as coach and as teacher) four. A `CountedList` compiles them into
one statement (app.core.compiled_query's `Combine`):

    SELECT page.*, counted.total_bound
    FROM (SELECT (SELECT COUNT(*) FROM (<base 1> LIMIT bound) AS bounded)
               + (SELECT COUNT(*) FROM (<base 2> LIMIT bound) AS bounded) AS total_bound) AS counted
    LEFT JOIN (SELECT * FROM (<page 1>) AS part UNION ALL SELECT * FROM (<page 2>) AS part) AS page
           ON 1 = 1
    ORDER BY page.<order> LIMIT limit

Each page part keeps its own ORDER BY and LIMIT, so each is an index range scan that stops
after a page (SQLite takes no ORDER BY inside a compound's members, hence the subselects);
the outer ORDER BY merges at most a page per part. The counts are uncorrelated scalar
subqueries, run once. The LEFT JOIN keeps one row when the page is empty (a cursor past
the end still learns the total): that row's columns are NULL but for `total_bound`.

While a long list's full count is cached (app.core.list_totals), the page is compiled
without the counts (the `bound` slot not given): the statement is then the page alone.
Past the limit, the full count is a second statement, once per `count_cache_seconds` per
process (the first request after it expires pays it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.queryset import AwaitableQuery

from app.core.compiled_query import Combine, CompiledQuery

TOTAL = "total_bound"  # the column each row of a counted page carries

Parts = Callable[[Any, frozenset[str]], Sequence[AwaitableQuery[Any]]]


class CountedList:
    """For Paginator.paginate_compiled. `pages(slot, shape)`: the built page queries, each
    filtered, after the cursor (`slot.cursor_created_at`, `slot.cursor_id`), in `order`, at
    most `slot.limit` rows (and skipping `slot.offset` if in the shape): one for a plain
    list, one per index range for a list that is their union. Each must select "id" and the
    order's columns. `bases(slot, shape)`: the built filtered queries (no order, no limit)
    whose rows are the list's, disjoint: their counts add up. `order`: (column, descending)
    pairs, total (ending with "id")."""

    def __init__(
        self,
        pages: Parts,
        bases: Parts,
        *,
        order: Sequence[tuple[str, bool]],
        **slot_types: type,
    ) -> None:
        self._pages, self._bases = pages, bases
        self.order = ", ".join(
            f'page."{column}"' + (" DESC" if descending else "") for column, descending in order
        )
        self.page = CompiledQuery(
            self._statement,
            **slot_types,
            limit=int,
            offset=int,
            cursor_created_at=datetime,
            cursor_id=UUID,
            bound=int,
        )
        self.full_count = CompiledQuery(self._full_count, **slot_types)

    def _statement(self, slot: Any, shape: frozenset[str]) -> Combine:
        pages = tuple(self._pages(slot, shape))
        if len(pages) == 1:
            page = "{0}"
        else:
            page = " UNION ALL ".join(f"SELECT * FROM ({{{n}}}) AS part" for n in range(len(pages)))
        if "bound" not in shape:
            if len(pages) == 1:
                return Combine(page, *pages)
            return Combine(f"SELECT * FROM ({page}) AS page ORDER BY {self.order} LIMIT {{limit}}", *pages)
        counts = [base.limit(slot.bound).values("id") for base in self._bases(slot, shape)]
        total = " + ".join(
            f"(SELECT COUNT(*) FROM ({{{len(pages) + n}}}) AS bounded)" for n in range(len(counts))
        )
        return Combine(
            f"SELECT page.*, counted.{TOTAL} FROM (SELECT {total} AS {TOTAL}) AS counted"
            f" LEFT JOIN ({page}) AS page ON 1 = 1 ORDER BY {self.order} LIMIT {{limit}}",
            *pages,
            *counts,
        )

    def _full_count(self, slot: Any, shape: frozenset[str]) -> Combine:
        bases = [base.values("id") for base in self._bases(slot, shape)]
        total = " + ".join(f"(SELECT COUNT(*) FROM ({{{n}}}) AS counted)" for n in range(len(bases)))
        return Combine(f"SELECT {total} AS n", *bases)


def page_rows(rows: Sequence[Mapping[str, Any]]) -> Sequence[Mapping[str, Any]]:
    """A counted page's rows without the one an empty page brings its total in."""
    if len(rows) == 1 and rows[0]["id"] is None:
        return ()
    return rows
