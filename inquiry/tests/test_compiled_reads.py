"""CompiledRead answers exactly what the queryset it compiles would, for any member."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Max, Window
from django.test.utils import CaptureQueriesContext

from inquiry.models import FundAccount, LedgerEntry
from inquiry.tests.factories import FundAccountFactory, LedgerEntryFactory, MemberFactory
from zzgjj_portal.compiled import CompiledRead

pytestmark = pytest.mark.django_db
FIELDS = [f.attname for f in LedgerEntry._meta.concrete_fields]


def fields_of(obj):
    return [getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields]


def ledger(account, days):
    for n, day in enumerate(days):
        LedgerEntryFactory(account=account, booked_on=date(2020, 1, 1) + timedelta(days=day), amount=Decimal(n + 1))


def test_instances_with_select_related_and_window_annotations_match_the_orm():
    accounts = [FundAccountFactory() for _ in range(3)]
    for account in accounts:
        ledger(account, range(0, 60, 7))

    def build(member_id):
        return (
            LedgerEntry.objects.select_related("account__employer")
            .filter(account__member=member_id)
            .annotate(total=Window(Count("id")), newest=Window(Max("id")))
            .order_by("-booked_on", "-id")[:4]
        )

    read = CompiledRead(build, member_id=int)
    for account in accounts:
        expected = list(build(account.member_id))
        with CaptureQueriesContext(connection) as queries:
            got = read(member_id=account.member_id)
        assert len(queries) == 1
        assert [fields_of(e) for e in got] == [fields_of(e) for e in expected]
        assert [(e.total, e.newest) for e in got] == [(e.total, e.newest) for e in expected]
        # select_related objects came with the row, no further query.
        with CaptureQueriesContext(connection) as queries:
            assert [fields_of(e.account.employer) for e in got] == [fields_of(e.account.employer) for e in expected]
        assert len(queries) == 0


def test_dates_and_values_list_match_the_orm_on_every_range():
    account = FundAccountFactory()
    other = FundAccountFactory(member=MemberFactory())
    ledger(account, range(0, 400, 3))
    ledger(other, range(0, 400, 5))

    def build(member_id, start, end):
        return (
            LedgerEntry.objects.filter(account__member=member_id, booked_on__gte=start, booked_on__lte=end)
            .order_by("booked_on", "id")
            .values_list(*FIELDS)
        )

    read = CompiledRead(build, member_id=int, start=date, end=date)
    for member_id in (account.member_id, other.member_id):
        for start, end in [(date(2020, 1, 1), date(2020, 3, 1)), (date(2020, 5, 5), date(2021, 12, 31))]:
            got = read(member_id=member_id, start=start, end=end)
            assert got == list(build(member_id, start, end)) and got
            assert all(isinstance(row[FIELDS.index("amount")], Decimal) for row in got)


def test_a_member_without_rows_gets_an_empty_list():
    read = CompiledRead(lambda member_id: FundAccount.objects.filter(member=member_id)[:1], member_id=int)
    assert read(member_id=MemberFactory().pk) == []


def test_a_parameter_the_sql_does_not_carry_exactly_once_is_refused():
    twice = CompiledRead(
        lambda member_id: FundAccount.objects.filter(member=member_id, employer=member_id), member_id=int
    )
    with pytest.raises(ValueError, match="appears 2 times"):
        twice(member_id=1)
    with pytest.raises(TypeError):
        CompiledRead(lambda member_id: FundAccount.objects.filter(member=member_id), member_id=int)(member_id=None)


def test_text_parameters_match_the_orm_and_are_never_mistaken_for_the_sql():
    accounts = [FundAccountFactory(account_no=f"8800{n:08d}") for n in range(3)]
    read = CompiledRead(lambda account_no: FundAccount.objects.filter(account_no=account_no)[:1], account_no=str)
    for account in accounts:
        assert [a.pk for a in read(account_no=account.account_no)] == [account.pk]
    # Quotes and SQL in the value are a value: parameters, never spliced in.
    assert read(account_no="x' OR '1'='1") == []
    assert read(account_no="") == []
