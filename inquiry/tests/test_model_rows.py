"""ModelRows: the same instances the ORM makes, made only for the slice asked for."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from inquiry.models import LedgerEntry
from inquiry.tests.factories import LedgerEntryFactory
from zzgjj_portal.rows import ModelRows

pytestmark = pytest.mark.django_db


def test_rows_give_the_orms_instances_with_every_field(account):
    for day in range(25):
        LedgerEntryFactory(
            account=account, booked_on=date(2020, 1, 1) + timedelta(days=day), amount=Decimal(day - 12) or 1
        )
    queryset = LedgerEntry.objects.filter(account=account).order_by("booked_on", "id")
    rows = ModelRows(queryset)
    expected = list(queryset)
    assert len(rows) == 25
    assert list(rows) == expected and rows[3] == expected[3] and rows[20:] == expected[20:]
    fields = [f.attname for f in LedgerEntry._meta.concrete_fields]
    for made, loaded in zip(rows, expected, strict=True):
        assert [getattr(made, f) for f in fields] == [getattr(loaded, f) for f in fields]
        assert not made._state.adding and made._state.db == loaded._state.db
    assert rows.column("amount") == [e.amount for e in expected]
    assert all(isinstance(a, Decimal) for a in rows.column("amount"))
