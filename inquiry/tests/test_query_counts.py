"""Each page runs a fixed number of queries, whatever the number of rows."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inquiry.models import LedgerEntry, LoanProgressStep, Repayment
from inquiry.tests.factories import LedgerEntryFactory, LoanContractFactory, LoanProgressStepFactory, RepaymentFactory

pytestmark = pytest.mark.django_db

# Session and user with its member come first on every page (2); each page's
# own reads follow. The budget is per page and must hold for 1 row and for 300.
PAGES = [
    ("tasks:home", {}, 8),  # + 我发起的, + the balance sparkline's months
    ("inquiry:basic_info", {}, 4),
    ("inquiry:ledger", {"start": "2000-01-01", "end": "2029-12-31"}, 5),  # + the charts' grouped read
    ("inquiry:ledger", {"start": "2000-01-01", "end": "2029-12-31", "format": "xlsx"}, 4),
    ("inquiry:loan_progress", {}, 4),
    ("inquiry:loan_info", {}, 3),
    ("inquiry:repayments", {}, 4),
    ("inquiry:plan", {}, 3),
    ("inquiry:plan", {"format": "xlsx"}, 3),
    ("inquiry:plan_print", {"start": "2027-01-01", "end": "2027-12-31"}, 3),
    # 提前还款试算: the contracts (dropdown, gate, menu); the trial itself is computed.
    ("inquiry:prepay_trial", {}, 3),
    ("inquiry:prepay_trial", {"mode": "shorten", "amount": "10000"}, 3),
]


def fill(member, account, loans: int, rows: int) -> None:
    for _ in range(loans):
        loan = LoanContractFactory(member=member)
        LoanProgressStep.objects.bulk_create(LoanProgressStepFactory.build(contract=loan, order=n) for n in range(1, 7))
        Repayment.objects.bulk_create(
            RepaymentFactory.build(contract=loan, repaid_on=date(2020, 9, 1) + timedelta(days=30 * month))
            for month in range(rows)
        )
    LedgerEntry.objects.bulk_create(
        LedgerEntryFactory.build(
            account=account, booked_on=date(2010, 1, 1) + timedelta(days=day * 20), amount=Decimal("10")
        )
        for day in range(rows)
    )


def count_queries(client, name, query) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse(name), query)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(("name", "query", "budget"), PAGES)
def test_page_query_count_is_fixed(
    member_client, member, account, django_assert_max_num_queries, settings, name, query, budget
):
    # The print's PDF cache is Redis in production, not database queries.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "counts"}}
    # What is counted is a page rendered afresh; a cached page makes one query (see test below).
    settings.PAGE_CACHE_SECONDS = 0
    fill(member, account, loans=1, rows=1)
    few = count_queries(member_client, name, query)
    fill(member, account, loans=3, rows=300)
    with django_assert_max_num_queries(budget):
        response = member_client.get(reverse(name), query)
    assert response.status_code == 200
    assert count_queries(member_client, name, query) == few


def test_ledger_and_repayment_queries_use_the_account_date_indexes():
    ledger_fields = [index.fields for index in LedgerEntry._meta.indexes]
    repayment_fields = [index.fields for index in Repayment._meta.indexes]
    assert ["account", "booked_on", "id"] in ledger_fields
    assert ["contract", "repaid_on", "id"] in repayment_fields
