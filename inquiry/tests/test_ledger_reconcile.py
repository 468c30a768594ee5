"""`manage.py ledger_reconcile`: balance = last running balance = sum of the ledger."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from inquiry.models import FundAccount
from inquiry.tests.factories import FundAccountFactory, LedgerEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def books():
    """Two accounts whose books agree, and one without entries."""
    accounts = []
    for amounts in ([Decimal("1000.00"), Decimal("500.00"), Decimal("-300.00")], [Decimal("2000.00")]):
        running = Decimal("0.00")
        account = FundAccountFactory(balance=sum(amounts))
        for amount in amounts:
            running += amount
            LedgerEntryFactory(account=account, amount=amount, balance_after=running)
        accounts.append(account)
    accounts.append(FundAccountFactory(balance=Decimal("0.00")))
    return accounts


def _run() -> str:
    out = StringIO()
    call_command("ledger_reconcile", stdout=out)
    return out.getvalue()


def test_ledger_reconcile_counts_accounts_and_entries_when_books_agree(books):
    assert _run().strip() == "ledger_reconcile: 3 accounts, 4 ledger entries, 0 mismatches"


def test_ledger_reconcile_fails_naming_an_account_whose_balance_differs_from_its_ledger(books):
    FundAccount.objects.filter(pk=books[0].pk).update(balance=Decimal("1200.01"))
    with pytest.raises(CommandError, match=books[0].account_no):
        _run()


def test_ledger_reconcile_fails_when_the_last_running_balance_is_wrong(books):
    last = books[1].entries.get()
    type(last).objects.filter(pk=last.pk).update(balance_after=Decimal("1999.00"))
    with pytest.raises(CommandError, match=books[1].account_no):
        _run()


def test_ledger_reconcile_fails_for_a_balance_without_entries(books):
    FundAccount.objects.filter(pk=books[2].pk).update(balance=Decimal("10.00"))
    with pytest.raises(CommandError, match=books[2].account_no):
        _run()


def test_ledger_reconcile_counts_a_pending_entry_in_the_balance_not_in_the_core_running_balance(books):
    # A 待入账 withdrawal, then the core's next deposit: the deposit carries the
    # core's running balance (2,600.00), the balance counts the withdrawal too.
    account = books[1]
    LedgerEntryFactory(account=account, amount=Decimal("-500.00"), balance_after=Decimal("1500.00"), pending=True)
    LedgerEntryFactory(account=account, amount=Decimal("600.00"), balance_after=Decimal("2600.00"))
    FundAccount.objects.filter(pk=account.pk).update(balance=Decimal("2100.00"))
    assert "0 mismatches" in _run()

    # The balance must still count the pending entry.
    FundAccount.objects.filter(pk=account.pk).update(balance=Decimal("2600.00"))
    with pytest.raises(CommandError, match=account.account_no):
        _run()


def test_ledger_reconcile_accepts_a_closed_account_whose_ledger_sums_to_zero():
    # Paid out to zero (提取销户): on SQLite the sum comes back as a float near zero.
    account = FundAccountFactory(balance=Decimal("0.00"))
    LedgerEntryFactory(account=account, amount=Decimal("170535.70"), balance_after=Decimal("170535.70"))
    LedgerEntryFactory(account=account, amount=Decimal("-170535.70"), balance_after=Decimal("0.00"))
    LedgerEntryFactory(account=account, amount=Decimal("0.10"), balance_after=Decimal("0.10"))
    LedgerEntryFactory(account=account, amount=Decimal("0.20"), balance_after=Decimal("0.30"))
    LedgerEntryFactory(account=account, amount=Decimal("-0.30"), balance_after=Decimal("0.00"))
    assert "0 mismatches" in _run()
