"""Counts the navigation shows on every page, compiled by the ORM once per process.

A badge such as "3 unread" is a count over nested subqueries (the user's care team, their
conversations, what they have read). Running it costs PostgreSQL well under a millisecond;
building its SQL costs Django a few milliseconds on every page. A `PreparedCount` asks the
ORM for the SQL once per shape, with sentinel numbers standing for the request's values,
and afterwards runs that SQL with the sentinels swapped for the real values. The queryset
stays the one definition of what is counted: the inbox pages list the same rows.
"""

import threading
from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet

# Far below any primary key: a parameter equal to one can only be the sentinel itself.
_SENTINEL_BASE = -(10**15)


class PreparedCount:
    """`PreparedCount(build)`: `build(shape, **values)` returns the queryset whose rows are
    counted, with the integer `values` used only as filter values (ids); `shape` is what
    else changes the SQL (e.g. the user's role). `count(shape, **values)` runs it."""

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._compiled: dict[tuple, tuple[str, str, tuple, dict]] = {}
        self._lock = threading.Lock()

    def count(self, shape, **values: int) -> int:
        key = (shape, tuple(sorted(values)))
        if key not in self._compiled:
            with self._lock:
                self._compiled[key] = self._compile(shape, values)
        alias, sql, params, slots = self._compiled[key]
        filled = tuple(values[slots[i]] if i in slots else p for i, p in enumerate(params))
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, filled)
            return cursor.fetchone()[0]

    def _compile(self, shape, values: dict[str, int]):
        sentinels = {name: _SENTINEL_BASE - n for n, name in enumerate(sorted(values))}
        queryset = self.build(shape, **sentinels).order_by().values("pk")
        inner, params = queryset.query.sql_with_params()
        by_value = {sentinel: name for name, sentinel in sentinels.items()}
        slots = {i: by_value[p] for i, p in enumerate(params) if type(p) is int and p in by_value}
        missing = set(values) - set(slots.values())
        if missing:
            raise ValueError(f"{sorted(missing)} do not reach the SQL as parameters")
        return queryset.db, f"SELECT COUNT(*) FROM ({inner}) counted", params, slots
