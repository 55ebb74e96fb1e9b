"""Reads on hot pages whose SQL the ORM builds once per process.

A badge such as "3 unread" is a count over nested subqueries (the user's care team, their
conversations, what they have read). Running it costs PostgreSQL well under a millisecond;
building its SQL costs Django a few milliseconds on every page. The couple page's panels
are the same: a dozen short reads whose filters, joins and ordering Django rebuilds and
recompiles on every request, for a different couple id each time.

A prepared read asks the ORM for the SQL once per shape, with sentinel numbers standing for
the request's values, and afterwards runs that SQL with the sentinels swapped for the real
values. The queryset stays the one definition of what is read: the same function builds
it, and the pages that do not prepare it run it as it is.

What the builder may vary with its values is only filter values: ids, lists of ids for an
`__in` filter (the SQL is built once per length of the list), and moments (aware
datetimes, such as `now`). Anything else that changes the SQL (a role, a filter chosen by
the user) belongs in `shape`. A date or a moment the builder works out itself (`now + 2h`)
would be frozen at the first call: a builder whose SQL carries one is refused (pass it as
a value of its own), as is a value that never reaches the SQL.
"""

import copy
import datetime
import itertools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.db.models import QuerySet
from django.db.models.sql.subqueries import UpdateQuery

# Far below any primary key, and a thousand years before any appointment: a parameter equal
# to one can only be the sentinel itself.
_SENTINEL_BASE = -(10**15)
_MOMENT_BASE = datetime.datetime(1000, 1, 1, tzinfo=datetime.UTC)
_MOMENT = "moment"
# The most shapes one prepared read keeps compiled (a shape holds its queryset and
# compiler); past it, they are compiled again as they come.
MOST_SHAPES = 256

Values = dict[str, "int | datetime.datetime | list[int] | tuple[int, ...]"]


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet
    compiler: object  # the SQLCompiler that built `sql`: it knows how to read its rows
    sql: str
    params: tuple
    # parameter position -> the value that goes there: (name, None) for an id or a moment,
    # (name, i) for the i-th id of a list
    slots: dict[int, tuple[str, int | None]]
    # the name of its server-side statement, on PostgreSQL (see below)
    name: str = field(default_factory=lambda: f"kapcouples_read_{next(_statement_numbers)}")

    def executable(self, connection, values: Values) -> tuple[str, tuple]:
        """The SQL and parameters to run for `values` on `connection`."""
        if not _server_side(connection):
            return self.sql, self.params_for(values)
        return self._execute(connection), self.values_for(connection, values)

    def params_for(self, values: Values) -> tuple:
        ops = connections[self.queryset.db].ops
        return tuple(
            _as_param(ops, _pick(values, *self.slots[i])) if i in self.slots else p
            for i, p in enumerate(self.params)
        )

    def values_for(self, connection, values: Values) -> tuple:
        """The request's own values, in the order of the statement's parameters."""
        return tuple(
            _as_param(connection.ops, _pick(values, *self.slots[i])) for i in sorted(self.slots)
        )

    def _execute(self, connection) -> str:
        """EXECUTE of this read's statement, PREPAREd on `connection` the first time
        (outside the query log, as connection set-up is: it happens once per connection,
        whatever the page)."""
        connection.ensure_connection()  # a new connection forgets what the last one made
        made = connection.__dict__.setdefault(_PREPARED_ON, set())
        if self.name not in made:
            with connection.wrap_database_errors, connection.connection.cursor() as cursor:
                cursor.execute(f"PREPARE {self.name} AS {self._statement(cursor)}")
            made.add(self.name)
        if not self.slots:
            return f"EXECUTE {self.name}"
        return f"EXECUTE {self.name}({', '.join(['%s'] * len(self.slots))})"

    def _statement(self, cursor) -> str:
        """The SQL with the request's values as `$1`, `$2`, … and the query's own constants
        (statuses, kinds, flags) written in as literals, quoted by the driver as for any
        query. The plan PostgreSQL keeps for the statement then knows those constants (and
        the partial indexes they match), so it is as good as one made for each request's
        values, and PostgreSQL keeps it instead of planning every run again."""
        numbers = itertools.count(1)
        params = iter(enumerate(self.params))

        def placeholder(match) -> str:
            if match.group(1) == "%":
                return "%"
            i, param = next(params)
            if i in self.slots:
                return f"${next(numbers)}"
            return cursor.mogrify("%s", [param]).decode()

        return re.sub(r"%(%|s)", placeholder, self.sql)


def _pick(values: Values, name: str, index: int | None):
    return values[name] if index is None else values[name][index]


def _as_param(ops, value):
    """The value as the database backend passes it (a moment may become text)."""
    if isinstance(value, datetime.datetime):
        return ops.adapt_datetimefield_value(value)
    return value


class _Prepared:
    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._compiled: dict[tuple, _Compiled] = {}
        self._lock = threading.Lock()

    def _get(self, shape, values: Values) -> _Compiled:
        key = (shape, tuple(sorted((name, _length(value)) for name, value in values.items())))
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                if len(self._compiled) >= MOST_SHAPES:  # e.g. every page of a long list
                    self._compiled.clear()
                compiled = self._compiled[key] = self._compile(shape, values)
        return compiled

    def _compile(self, shape, values: Values) -> _Compiled:
        sentinels, raw_places = _sentinels(values)
        queryset = self._finish(self.build(shape, **sentinels))
        if queryset._known_related_objects:
            raise ValueError("a related manager's queryset would keep its first instance")
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = self._sql(compiler)
        ops = connections[queryset.db].ops
        places = {_as_param(ops, sentinel): place for sentinel, place in raw_places.items()}
        slots = {
            i: places[p]
            for i, p in enumerate(params)
            if type(p) in (int, str, datetime.datetime) and p in places
        }
        missing = set(places.values()) - set(slots.values())
        if missing:
            names = sorted({name for name, _index in missing})
            raise ValueError(f"{names} do not reach the SQL as parameters")
        if any(isinstance(p, datetime.date) for i, p in enumerate(params) if i not in slots):
            raise ValueError("the SQL carries a date or a moment of its own, which would be frozen")
        return _Compiled(queryset, compiler, sql, tuple(params), slots)

    def _finish(self, queryset: QuerySet) -> QuerySet:
        return queryset

    def _sql(self, compiler) -> tuple[str, tuple]:
        return compiler.as_sql()

    @staticmethod
    def _has_empty_list(values: Values) -> bool:
        return any(isinstance(value, list | tuple) and not value for value in values.values())


def _length(value) -> int | str | None:
    """None for an id, "moment" for a moment, the length of a list of ids; anything else is
    refused."""
    if type(value) is int:
        return None
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return _MOMENT
    if isinstance(value, list | tuple) and all(type(v) is int for v in value):
        return len(value)
    raise TypeError(
        f"{value!r} is neither an id, a list of ids nor a moment: it cannot be prepared"
    )


def _sentinels(values: Values) -> tuple[dict, dict]:
    """A sentinel for each id or moment (a list of them for a list), and where each one
    stands."""
    sentinels, places = {}, {}
    numbers = itertools.count()
    for name in sorted(values):
        length = _length(values[name])
        if length is None:
            sentinels[name] = _SENTINEL_BASE - next(numbers)
            places[sentinels[name]] = (name, None)
        elif length == _MOMENT:
            sentinels[name] = _MOMENT_BASE + datetime.timedelta(seconds=next(numbers))
            places[sentinels[name]] = (name, None)
        else:
            sentinels[name] = [_SENTINEL_BASE - next(numbers) for _ in range(length)]
            places.update({sentinel: (name, i) for i, sentinel in enumerate(sentinels[name])})
    return sentinels, places


class PreparedCount(_Prepared):
    """`PreparedCount(build)`: `build(shape, **values)` returns the queryset whose rows are
    counted, with the `values` (ids, lists of ids, moments) used only as filter values;
    `shape` is what else changes the SQL (e.g. the user's role). `count(shape, **values)`
    runs it."""

    def count(self, shape, **values) -> int:
        if self._has_empty_list(values):
            return self._finish(self.build(shape, **values)).count()
        compiled = self._get(shape, values)
        connection = connections[compiled.queryset.db]
        with connection.cursor() as cursor:
            cursor.execute(*compiled.executable(connection, values))
            return cursor.fetchone()[0]

    def _finish(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by().values("pk")

    def _sql(self, compiler) -> tuple[str, tuple]:
        inner, params = compiler.as_sql()
        return f"SELECT COUNT(*) FROM ({inner}) counted", params


class PreparedRows(_Prepared):
    """`PreparedRows(build)`: `rows(shape, **values)` is `list(build(shape, **values))`, the
    model instances (or values) the queryset yields, with its `select_related`, annotations
    and `prefetch_related`, without building or compiling the queryset again."""

    def rows(self, shape, **values) -> list:
        if self._has_empty_list(values):  # no SQL at all for an empty `__in`: as Django does
            return list(self.build(shape, **values))
        compiled = self._get(shape, values)
        replay = copy.copy(compiled.compiler)
        replay.connection = connections[compiled.queryset.db]  # this thread's connection
        sql, params = compiled.executable(replay.connection, values)
        replay.as_sql = lambda *args, **kwargs: (sql, params)
        queryset = compiled.queryset._chain()
        queryset.query.get_compiler = lambda *args, **kwargs: replay
        return list(queryset)


class PreparedUpdate(_Prepared):
    """`PreparedUpdate(build)`: `build(shape, **values)` returns `(queryset, changes)`, the
    rows to change and the `{field: value}` to set them to (values as for the filters);
    `update(shape, **values)` is `queryset.update(**changes)`, with its SQL built once. As
    `update()`, it writes no history row and calls no `save()`."""

    def update(self, shape, **values) -> int:
        if self._has_empty_list(values):
            queryset, changes = self.build(shape, **values)
            return queryset.update(**changes)
        compiled = self._get(shape, values)
        connection = connections[compiled.queryset.db]
        with (
            transaction.mark_for_rollback_on_error(using=compiled.queryset.db),
            connection.cursor() as cursor,
        ):
            cursor.execute(*compiled.executable(connection, values))
            return cursor.rowcount

    def _finish(self, built) -> QuerySet:
        queryset, changes = built
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(changes)
        if query.related_updates:
            raise ValueError("an update of a parent model's fields cannot be prepared")
        updating = queryset._chain()
        updating.query = query
        return updating


def hold_as_prefetched(instance, related_name: str, rows: list) -> None:
    """Give `instance.<related_name>.all()` the `rows` (read by a prepared read) as
    `prefetch_related` would, without building and compiling its query: a later `.all()`
    reads no rows, and anything narrower (`.filter()`) still asks the database."""
    manager = getattr(instance, related_name)
    for row in rows:
        manager.field.set_cached_value(row, instance)
    held = manager.get_queryset()
    held._result_cache, held._prefetch_done = list(rows), True
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[manager.field.remote_field.cache_name] = held


class PreparedSetting:
    """`PreparedSetting(model)(clinic_id)`: the clinic's row of a one-row-per-clinic
    settings model, read on most pages and services: by SQL built once per process, and
    created with the model's defaults when the clinic has none yet (clinics made before the
    model existed)."""

    def __init__(self, model):
        self.model = model
        self._read = PreparedRows(
            lambda _shape, clinic_id: model.objects.filter(clinic_id=clinic_id)
        )

    def __call__(self, clinic_id: int):
        found = self._read.rows(None, clinic_id=clinic_id)
        if found:
            return found[0]
        return self.model.objects.get_or_create(clinic_id=clinic_id)[0]


# --- Server-side statements (PostgreSQL) --------------------------------------------------
# On PostgreSQL each prepared read is also PREPAREd on the connection, once, and then run by
# EXECUTE (`_Compiled._execute`): the server parses it once and, after a few runs, plans it
# once (its generic plan) instead of on every request. Planning was most of PostgreSQL's
# time for these reads: the caseload's 20 statements spent 1.8 ms planning and 2.0 ms
# executing.
_statement_numbers = itertools.count(1)
_PREPARED_ON = "_kapcouples_prepared_statements"  # names made on a connection


def _server_side(connection) -> bool:
    return connection.vendor == "postgresql" and settings.KAP_SERVER_PREPARED_STATEMENTS


def _forget_statements(sender, connection, **kwargs) -> None:
    """A new connection has none of the statements the last one prepared."""
    connection.__dict__.pop(_PREPARED_ON, None)


connection_created.connect(_forget_statements)
