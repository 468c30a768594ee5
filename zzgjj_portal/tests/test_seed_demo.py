"""seed_demo: realistic, deterministic, idempotent, and every balance reconciles."""

import re
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from inquiry import demo
from inquiry.models import CLOSED_STATUSES, FundAccount, LedgerEntry, LoanContract, LoanProgressStep, Member, Repayment
from tasks.models import Message

pytestmark = pytest.mark.django_db
AS_OF = "2026-10-31"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo set, seeded once for the module (60 members take seconds).

    Held in a transaction that is rolled back after the module's last test, so
    nothing leaks into other modules; each test still runs in its own savepoint
    (pytest-django's `django_db`), so the tests stay isolated from each other.
    """
    # The tests' fast hasher (conftest's autouse fixture is per test, too late here).
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast_hashing:
        call_command("seed_demo", as_of=AS_OF)
        yield
        transaction.set_rollback(True)


def snapshot():
    return {
        model.__name__: sorted(map(tuple, model.objects.values_list()))
        for model in (Member, FundAccount, LedgerEntry, LoanContract, LoanProgressStep, Repayment, Message)
    } | {"users": sorted(User.objects.values_list("username", "member__id_number", "password"))}


def test_seed_demo_twice_changes_nothing(seeded):
    before = snapshot()
    call_command("seed_demo", as_of=AS_OF)
    assert snapshot() == before


def test_seed_demo_every_balance_reconciles_with_its_ledger(seeded):
    # Summed in Python: SQLite's SUM() of decimals goes through float.
    for account in FundAccount.objects.prefetch_related("entries"):
        running = Decimal("0.00")
        for entry in sorted(account.entries.all(), key=lambda e: (e.booked_on, e.id)):
            running += entry.amount
            assert entry.balance_after == running, entry.serial_no
        assert account.balance == running, account.account_no


def test_seed_demo_covers_the_cases_the_portal_shows(seeded):
    assert Member.objects.count() >= 50
    kinds = Counter(LedgerEntry.objects.values_list("kind", flat=True))
    assert {"deposit", "back_payment", "withdrawal", "interest", "transfer_in"} <= set(kinds)
    loans_per_member = Counter(Member.objects.annotate(n=Count("loans")).values_list("n", flat=True))
    assert loans_per_member[0] and loans_per_member[1] and loans_per_member[2]  # none, one, two loans
    assert set(LoanContract.objects.values_list("status", flat=True)) >= {"not_disbursed", "active", "settled"}
    assert Member.objects.filter(phone="").exists()
    assert Member.objects.filter(user__isnull=True).exists()
    assert FundAccount.objects.filter(status__in=CLOSED_STATUSES).exists()
    # Interest is settled on June 30 only.
    assert all(
        d.month == 6 and d.day == 30
        for d in LedgerEntry.objects.filter(kind="interest").values_list("booked_on", flat=True)
    )


def test_seed_demo_member_can_log_in_with_published_password(seeded):
    member = Member.objects.get(id_number=demo.DEMO_ID_NUMBER)
    assert member.user.check_password(DEMO_PASSWORD)
    statuses = sorted(member.loans.values_list("status", flat=True))
    assert statuses == ["active", "settled"]
    assert member.messages.exists()
    unregistered = Member.objects.get(id_number=demo.UNREGISTERED_ID_NUMBER)
    assert unregistered.phone and not hasattr(unregistered, "user")


def test_seed_demo_every_registered_member_has_the_published_password(seeded):
    # README: every registered demo member logs in with the demo password.
    logins = User.objects.filter(member__isnull=False)
    assert logins.count() == Member.objects.filter(user__isnull=False).count() > 2
    hashes = set(logins.values_list("password", flat=True))
    assert len(hashes) == 1
    assert logins.first().check_password(DEMO_PASSWORD)


def test_seed_demo_repayments_follow_the_amortization(seeded):
    from inquiry import amortization

    for loan in LoanContract.objects.exclude(status="not_disbursed"):
        rows = list(loan.repayments.order_by("repaid_on", "id"))
        first_due = amortization.add_months(loan.disbursed_on, 1)
        plan = amortization.schedule(loan.repayment_method, loan.amount, loan.annual_rate, loan.term_months, first_due)
        regular = rows[:-1] if loan.status == "settled" else rows
        for row, due in zip(regular, plan, strict=False):
            assert (row.repaid_on, row.principal, row.interest) == (due.due_date, due.principal, due.interest)
        assert rows[-1].principal_to_date + loan.outstanding_principal == loan.amount
        if loan.status == "settled":
            assert loan.outstanding_principal == 0
            assert (loan.remaining_months, loan.next_due_on) == (0, None)
        else:
            # What the plan page starts from: the periods left and the next one due.
            assert loan.remaining_months == loan.term_months - len(rows)
            assert loan.next_due_on == (plan[len(rows)].due_date if loan.remaining_months else None)


def test_demo_data_is_deterministic():
    first = demo.build_members(date(2026, 10, 31))
    second = demo.build_members(date(2026, 10, 31))
    assert [(m.id_number, m.balance, len(m.entries)) for m in first] == [
        (m.id_number, m.balance, len(m.entries)) for m in second
    ]


# The members README's demo table names, so a newcomer can see every message of chapter 3.
README_NOT_DISBURSED = ("周芳", "370405197910276188")
README_NO_LOAN = ("李军", "370481198203209171")


def test_seed_demo_has_the_members_readme_names(seeded):
    name, id_number = README_NOT_DISBURSED
    member = Member.objects.get(id_number=id_number, name=name)
    assert member.user.check_password(DEMO_PASSWORD)
    (loan,) = member.loans.all()
    assert loan.status == LoanContract.Status.NOT_DISBURSED
    states = list(loan.progress_steps.order_by("order").values_list("state", flat=True))
    assert states.count(LoanProgressStep.State.CURRENT) == 1

    name, id_number = README_NO_LOAN
    member = Member.objects.get(id_number=id_number, name=name)
    assert member.user.check_password(DEMO_PASSWORD)
    assert not member.loans.exists()


def test_seed_demo_every_running_contract_has_something_left_to_repay(seeded):
    # What the center's books hold: a contract paid off is 结清; one still 正常
    # or 逾期 has a balance and periods left (还款计划 shows them, not 「没有应还款项」).
    running = LoanContract.objects.running()
    assert running.exists()
    for loan in running:
        assert loan.outstanding_principal > 0 and loan.remaining_months > 0, loan.contract_no
        assert loan.next_due_on is not None, loan.contract_no
    for loan in LoanContract.objects.filter(status=LoanContract.Status.SETTLED):
        assert loan.outstanding_principal == 0 and loan.repayments.exists(), loan.contract_no


# A YYYYMM month (汇缴年月) standing alone: members read months as 2026年10月.
RAW_PERIOD = re.compile(r"(?<![0-9A-Za-z])(19|20)\d{2}(0[1-9]|1[0-2])(?![0-9])")


def test_raw_period_pattern_finds_a_month_but_not_dates_or_numbers():
    assert RAW_PERIOD.search("您202610月的住房公积金")
    assert not RAW_PERIOD.search("您2026年10月的住房公积金")
    assert not RAW_PERIOD.search("借款合同【ZZ2020000012】于2020-06-16发放,业务流水号TQ20261103AB")


def test_seed_demo_messages_never_show_a_raw_period(seeded):
    texts = list(Message.objects.values_list("content", flat=True))
    assert texts
    assert not [text for text in texts if RAW_PERIOD.search(text)]
    assert any("年" in text and "月的住房公积金" in text for text in texts)
