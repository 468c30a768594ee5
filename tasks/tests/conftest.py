"""Fixtures of the application tests: a member with money, deposits and a bank
account on file, and hall staff in each workflow role."""

import importlib
import pkgutil
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.tests.conftest import Clock
from accounts.tests.factories import StaffUserFactory
from inquiry.amortization import add_months
from inquiry.models import FundAccount, LedgerEntry
from inquiry.tests.factories import LedgerEntryFactory

BANK_ACCOUNT = "6217000101000000001"


def deposit_months(account: FundAccount, months: int, amount: Decimal = Decimal("2000.00")) -> None:
    """Book `months` monthly deposits for the months before this one, keeping the balance reconciled."""
    today = timezone.localdate()
    for back in range(months, 0, -1):
        month = add_months(today.replace(day=1), -back)
        book(account, LedgerEntry.Kind.MONTHLY_DEPOSIT, amount, period=f"{month:%Y%m}", booked_on=month.replace(day=15))


def book(account: FundAccount, kind: str, amount: Decimal, *, booked_on: date | None = None, **fields) -> LedgerEntry:
    account.refresh_from_db()
    account.balance += amount
    account.save(update_fields=["balance"])
    return LedgerEntryFactory(
        account=account,
        kind=kind,
        amount=amount,
        balance_after=account.balance,
        booked_on=booked_on or timezone.localdate(),
        period=fields.pop("period", ""),
        **fields,
    )


def reconciles(account: FundAccount) -> bool:
    account.refresh_from_db()
    return account.balance == sum((e.amount for e in account.entries.all()), Decimal("0.00"))


@pytest.fixture
def clock(monkeypatch):
    """`timezone.now()` under the test's control (as accounts' tests have it)."""
    clock = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def member(member_user):
    """The logged-in member (member_client): a 正常 account with 24,000.00 from
    twelve monthly deposits and a bank account on file."""
    account = member_user.member.fund_account
    account.bank_account_no = BANK_ACCOUNT
    account.save(update_fields=["bank_account_no"])
    deposit_months(account, 12)
    return member_user.member


@pytest.fixture
def account(member):
    member.fund_account.refresh_from_db()
    return member.fund_account


def roles_ensure() -> None:
    """The role groups as the data migrations make them. A transactional test
    (browser, threads) flushes the tables afterwards, data migrations' rows
    included, so tests that come later make them again the same way."""
    migration = importlib.import_module("tasks.migrations.0004_application_roles")
    migration.create_roles(django_apps, None)


def migration_named(app: str, name: str):
    """The migration module of `app` called `<number>_<name>` (found by name:
    migrations are renumbered when branches merge)."""
    package = importlib.import_module(f"{app}.migrations")
    (module,) = [m.name for m in pkgutil.iter_modules(package.__path__) if m.name.split("_", 1)[-1] == name]
    return importlib.import_module(f"{app}.migrations.{module}")


def staff_in(role: str | None, **kwargs):
    """A staff member (not a superuser) in the workflow role `role` (受理员/审核员/审批员)."""
    roles_ensure()
    user = StaffUserFactory(is_superuser=False, **kwargs)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def clerk(db):
    return staff_in("受理员", username="clerk", name="张受理")


@pytest.fixture
def reviewer(db):
    return staff_in("审核员", username="reviewer", name="李审核")


@pytest.fixture
def approver(db):
    return staff_in("审批员", username="approver", name="王审批")
