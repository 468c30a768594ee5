"""Member-page reads whose SQL is compiled once per process instead of on every request.

Turning a queryset into SQL is most of what a small ORM read costs: a one-row
read of the member's account took 0.41 ms of CPU, 0.23 ms of it in
`SQLCompiler.as_sql`, and a fresh home page makes five such reads. The same
read for another member differs only in its parameters, so a `CompiledRead`
compiles its queryset once per process and database, with stand-in values
for the parameters, remembers where those stand-ins landed in the SQL's
parameter list, and afterwards executes the stored SQL with the real values
and builds the instances the way Django's ModelIterable does (the same
fields, select_related objects and annotations, the same converters).

What is compiled must not depend on anything but the named parameters (no
"today", no settings): the build function receives only those. A stand-in
that does not land exactly once in the parameters (a value the ORM folds into
the SQL, or an argument used twice) is refused when the read is first used,
so a read that cannot be compiled safely fails loudly in tests instead of
answering for the wrong member.
"""

from collections.abc import Callable
from datetime import date
from threading import Lock
from typing import Generic, TypeVar

from django.db import connections, models, router
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators

M = TypeVar("M", bound=models.Model)

# Stand-ins no real value takes: ids far beyond any table's, dates in year 1,
# text no form or digest produces.
_INT_BASE = 9_100_000_000_000_000
_STAND_INS = {
    int: lambda n: _INT_BASE + n,
    date: lambda n: date(1, 1, 1 + n),
    str: lambda n: f"\x00compiled-read-stand-in-{n}\x00",
}


class _Compiled:
    """The SQL of one read on one database, and how to turn its rows into instances."""

    def __init__(self, queryset: models.QuerySet, stand_ins: dict[str, object]):
        compiler = queryset.query.get_compiler(using=queryset.db)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        # Where each named parameter goes, and whether the backend passes it
        # as the value itself or as its text (SQLite gets dates as ISO strings).
        self.slots: list[tuple[int, str, bool]] = []
        for name, stand_in in stand_ins.items():
            places = [(i, False) for i, p in enumerate(self.params) if p == stand_in and type(p) is type(stand_in)]
            if not isinstance(stand_in, str):
                places += [(i, True) for i, p in enumerate(self.params) if isinstance(p, str) and p == str(stand_in)]
            if len(places) != 1:
                raise ValueError(f"CompiledRead: parameter {name!r} appears {len(places)} times in {self.sql!r}")
            self.slots.append((places[0][0], name, places[0][1]))
        select, klass_info = compiler.select, compiler.klass_info
        # A values_list() read has no model to build: its rows are the answer.
        iterable = queryset._iterable_class
        if iterable not in (ModelIterable, ValuesListIterable):
            raise ValueError(f"CompiledRead reads instances or values_list() tuples, not {iterable.__name__}")
        self.model = klass_info["model"] if iterable is ModelIterable else None
        if self.model:
            fields = klass_info["select_fields"]
            self.start, self.end = fields[0], fields[-1] + 1
            self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
            self.populators = get_related_populators(klass_info, select, queryset.db)
            self.annotations = list(compiler.annotation_col_map.items())
        self.converters = list(compiler.get_converters([column[0] for column in select[: compiler.col_count]]).items())

    def run(self, db: str, values: dict[str, object]) -> list:
        params = list(self.params)
        for index, name, as_text in self.slots:
            value = values[name]
            params[index] = str(value) if as_text else value
        connection = connections[db]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = [self._convert(list(row), connection) for row in rows]
        if self.model is None:
            return [tuple(row) for row in rows]
        objects = []
        for row in rows:
            obj = self.model.from_db(db, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def _convert(self, row: list, connection) -> list:
        # What SQLCompiler.apply_converters does, with this thread's connection.
        for position, (converters, expression) in self.converters:
            value = row[position]
            for converter in converters:
                value = converter(value, expression, connection)
            row[position] = value
        return row


class CompiledRead(Generic[M]):
    """`build(**parameters) -> QuerySet` compiled once per database; calling
    the read with real parameter values returns the list that
    `list(build(**values))` would: instances, or tuples for a values_list()
    read. Parameter types: int, date or str (`types`)."""

    def __init__(self, build: Callable[..., models.QuerySet], **types: type):
        self.build = build
        self.types = types
        self._compiled: dict[str, _Compiled] = {}
        self._model: type[models.Model] | None = None
        self._lock = Lock()

    def __call__(self, **values) -> list[M]:
        if values.keys() != self.types.keys() or any(v is None for v in values.values()):
            raise TypeError(f"CompiledRead takes exactly {sorted(self.types)}, none of them None")
        if self._model is None:
            self._compile("default")
        db = router.db_for_read(self._model)
        compiled = self._compiled.get(db) or self._compile(db)
        return compiled.run(db, values)

    def _compile(self, db: str) -> _Compiled:
        with self._lock:
            stand_ins = {name: _STAND_INS[kind](n) for n, (name, kind) in enumerate(self.types.items())}
            queryset = self.build(**stand_ins).using(db)
            self._model = queryset.model
            return self._compiled.setdefault(db, _Compiled(queryset, stand_ins))
