"""The ledger page's one query (20 rows with the range's count and totals) agrees with the whole range read."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inquiry import selectors
from inquiry.models import LedgerEntry
from inquiry.tests.factories import FundAccountFactory, LedgerEntryFactory
from zzgjj_portal.pagination import PAGE_SIZE

pytestmark = pytest.mark.django_db


def fill(account, rows: int, rng: random.Random) -> None:
    balance = Decimal("0.00")
    for n in range(rows):
        # Amounts with every cent pattern, negative ones (withdrawals) among them.
        amount = Decimal(rng.randint(1, 9_999_999)).scaleb(-2)
        if balance > amount and rng.random() < 0.3:
            amount = -amount
        balance += amount
        LedgerEntryFactory(
            account=account, booked_on=date(2000, 1, 1) + timedelta(days=11 * n), amount=amount, balance_after=balance
        )


@pytest.mark.parametrize("seed", [1, 2])
def test_pages_and_totals_match_the_whole_range(member, account, seed):
    rng = random.Random(seed)
    fill(account, 95, rng)
    fill(FundAccountFactory(), 30, rng)  # another member's rows never count
    for start, end in [(date(2000, 1, 1), date(2003, 12, 31)), (date(2001, 3, 4), None), (None, date(2001, 1, 1))]:
        whole = selectors.ledger_entries(member=member, start=start, end=end)
        pages, number = [], 1
        while True:
            page = selectors.ledger_page(member=member, start=start, end=end, number=number)
            if not page.entries:
                break
            assert (page.count, page.income_total, page.outgo_total) == (
                len(whole.rows),
                whole.income_total,
                whole.outgo_total,
            )
            assert len(page.entries) <= PAGE_SIZE
            pages += page.entries
            number += 1
        assert pages == whole.entries
        assert number - 1 == -(-len(whole.rows) // PAGE_SIZE)


def test_one_query_and_an_empty_range(member, account):
    fill(account, 3, random.Random(3))
    with CaptureQueriesContext(connection) as queries:
        page = selectors.ledger_page(member=member, start=date(2000, 1, 1), end=date(2030, 1, 1), number=1)
    assert len(queries) == 1 and page.count == 3
    empty = selectors.ledger_page(member=member, start=date(1990, 1, 1), end=date(1991, 1, 1), number=1)
    assert (empty.entries, empty.count, empty.income_total, empty.outgo_total) == ([], 0, 0, 0)
    assert LedgerEntry.objects.count() == 3


def test_pages_past_the_compiled_ones_read_the_same(member, account, settings):
    fill(account, 3, random.Random(4))
    far = selectors.ledger_page(member=member, start=None, end=None, number=selectors._COMPILED_PAGES + 1)
    assert far.entries == [] and far.count == 0
