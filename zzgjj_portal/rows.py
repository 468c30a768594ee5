"""A long list of one model's rows where a page shows only a few of them.

A member's 30-year ledger is about 400 rows, of which a page shows 20, yet its
totals need every amount. Making a model instance costs about 2.5 µs a row on
top of fetching it, which was a third of a fresh 缴存支取信息 page: so the rows
are fetched once as plain tuples (the same one query, the same values and
types as the model's fields give), and instances are made only for the slice
a page, a print or a file asks for. Totals are summed from the tuples.
"""

from collections.abc import Iterator, Sequence
from typing import Generic, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


class ModelRows(Sequence, Generic[M]):
    """The rows of `queryset` (evaluated now, in its order) as a sequence of
    model instances made on access; `column(name)` reads one field of every row."""

    def __init__(self, queryset: "models.QuerySet[M] | None" = None):
        if queryset is not None:
            # Every concrete field by attname, in the order Model.from_db expects
            # (it then takes the values positionally, its fast path).
            names = [field.attname for field in queryset.model._meta.concrete_fields]
            self._set(queryset.model, queryset.db, names, list(queryset.values_list(*names)))

    @classmethod
    def of(cls, model: type[M], names: list[str], rows: list[tuple], db: str = "default") -> "ModelRows[M]":
        """Rows already fetched: every concrete field of `model`, in `names` order."""
        made = cls()
        made._set(model, db, names, rows)
        return made

    def _set(self, model, db: str, names: list[str], rows: list[tuple]) -> None:
        self.model, self.db, self.names, self.rows = model, db, names, rows
        self._index = {name: i for i, name in enumerate(names)}

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._make(row) for row in self.rows[index]]
        return self._make(self.rows[index])

    def __iter__(self) -> Iterator[M]:
        return (self._make(row) for row in self.rows)

    def column(self, name: str) -> list:
        i = self._index[name]
        return [row[i] for row in self.rows]

    def _make(self, row: tuple) -> M:
        return self.model.from_db(self.db, self.names, row)
