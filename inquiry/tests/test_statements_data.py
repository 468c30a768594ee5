"""年度对账单 over real-looking books: every year of every demo member (seed_demo)
and of the scale generator's members reconciles, read through the selector."""

from datetime import UTC, date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from inquiry import selectors
from inquiry.models import FundAccount, LedgerEntry
from inquiry.statements import Status
from inquiry.tests.factories import FundAccountFactory, LedgerEntryFactory
from zzgjj_portal.management.commands import _scale_rows, seed_scale

pytestmark = pytest.mark.django_db
AS_OF = "2026-10-31"
TODAY = date(2026, 10, 31)


def assert_every_year_reconciles(accounts) -> int:
    """Every year of each account reconciles and chains onto the next; the ended
    ones are issued; the last closing is the account's balance. Returns the
    number of years checked."""
    years = 0
    for account in accounts:
        found = selectors.annual_statements(member=account.member, today=TODAY)
        assert found, account.account_no
        for before, after in zip(found, found[1:], strict=False):
            assert after.opening == before.closing, (account.account_no, after.label)
            assert after.start == date(before.end.year, 7, 1)
        for year in found:
            assert year.reconciled, (account.account_no, year.label, year.difference)
            assert year.status == (Status.ISSUED if year.end < TODAY else Status.NOT_ENDED), (
                account.account_no,
                year.label,
            )
        # No pending entries in these books: the last closing is the balance.
        assert found[-1].closing == account.balance, account.account_no
        # The figures are the ledger's: each year's movements are its entries' amounts.
        for year in found:
            amounts = LedgerEntry.objects.filter(
                account=account, booked_on__gte=year.start, booked_on__lte=year.end
            ).values_list("amount", flat=True)
            assert year.expected_closing - year.opening == sum(amounts, Decimal("0.00"))
        years += len(found)
    return years


@pytest.fixture(scope="module")
def demo_books(django_db_setup, django_db_blocker):
    """The demo set, seeded once for the module and rolled back after it."""
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast_hashing:
        call_command("seed_demo", as_of=AS_OF)
        yield
        transaction.set_rollback(True)


def test_statements_every_year_of_every_demo_member_reconciles(demo_books):
    accounts = list(FundAccount.objects.select_related("member").order_by("pk"))
    assert len(accounts) >= 50
    years = assert_every_year_reconciles(accounts)
    # Decades of books: the check covered far more than one year each.
    assert years > 5 * len(accounts)


def test_statements_selector_reads_the_ledger_once(demo_books):
    account = FundAccount.objects.select_related("member").order_by("-balance").first()
    with CaptureQueriesContext(connection) as queries:
        selectors.annual_statements(member=account.member, today=TODAY)
    # The ledger, and the newest import batch (whether a year's books are closed).
    assert len(queries) == 2
    assert sum("inquiry_ledgerentry" in query["sql"] for query in queries.captured_queries) == 1


def test_statements_every_year_of_the_scale_generators_members_reconciles(monkeypatch):
    monkeypatch.setattr(seed_scale, "CHUNK", 50)
    call_command("seed_scale", members=60, as_of=AS_OF, sample=0, stdout=StringIO())
    # The demo set of this module's fixture may be there too: the generator's members only.
    ids = [_scale_rows.id_number(i) for i in range(60)]
    accounts = list(FundAccount.objects.select_related("member").filter(member__id_number__in=ids))
    assert len(accounts) == 60
    assert assert_every_year_reconciles(accounts) > 5 * len(accounts)


def test_statements_selector_leaves_out_a_pending_entry_and_withholds_its_year():
    account = FundAccountFactory(balance=Decimal("1500.00"))
    LedgerEntryFactory(account=account, booked_on=date(2025, 8, 15), amount=Decimal("2000.00"), balance_after=2000)
    LedgerEntryFactory(
        account=account,
        booked_on=date(2026, 6, 29),
        kind=LedgerEntry.Kind.WITHDRAWAL,
        amount=Decimal("-500.00"),
        balance_after=Decimal("1500.00"),
        pending=True,
    )
    (year, current) = selectors.annual_statements(member=account.member, today=TODAY)
    assert (year.withdrawals, year.closing, year.status) == (Decimal("0.00"), Decimal("2000.00"), Status.PENDING)
    assert current.status == Status.NOT_ENDED


@pytest.mark.django_db
def test_statements_books_through_is_the_newest_applied_batch_in_china_time():
    from datetime import datetime, timedelta

    from django.utils import timezone

    from inquiry.models import ImportRun

    ImportRun.objects.all().delete()
    assert selectors.books_through() is None
    started = timezone.now()
    # 30 June 17:00 UTC is 1 July 01:00 in China: the books are through 30 June.
    ImportRun.objects.create(
        batch_no=1,
        folder="b1",
        status=ImportRun.Status.APPLIED,
        started_at=started,
        as_of=datetime(2026, 6, 30, 17, 0, tzinfo=UTC),
    )
    ImportRun.objects.create(
        batch_no=2,
        folder="b2",
        status=ImportRun.Status.FAILED,
        started_at=started + timedelta(minutes=1),
        as_of=datetime(2026, 7, 9, 2, 0, tzinfo=UTC),
    )
    assert selectors.books_through() == date(2026, 7, 1)
