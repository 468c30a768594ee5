"""The member's date-range reads use the (owner, date, id) indexes, so they
read only that member's rows in the range, on SQLite and PostgreSQL alike."""

from datetime import date

import pytest
from django.db import connection

from inquiry.models import LedgerEntry, Repayment
from inquiry.tests.factories import FundAccountFactory, LoanContractFactory

pytestmark = pytest.mark.django_db


def plan_of(queryset) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Tiny test tables make a sequential scan cheapest; forbid it to
            # see which index the query can use.
            cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


def test_ledger_range_query_uses_account_date_index():
    account = FundAccountFactory()
    queryset = LedgerEntry.objects.filter(
        account=account, booked_on__gte=date(2025, 11, 1), booked_on__lte=date(2026, 10, 31)
    ).order_by("booked_on", "id")
    plan = plan_of(queryset)
    assert "ledger_account_date_idx" in plan
    assert "booked_on" in plan  # the date range is an index condition, not a filter afterwards


def test_repayment_range_query_uses_contract_date_index():
    loan = LoanContractFactory()
    queryset = Repayment.objects.filter(contract=loan, repaid_on__gte=date(2025, 1, 1)).order_by("repaid_on", "id")
    plan = plan_of(queryset)
    assert "repayment_contract_date_idx" in plan
    assert "repaid_on" in plan
