"""Member.data_version: the database raises it on every change to what a
member's pages show, for that member only, whoever writes (inquiry/versioning.py).
Runs on SQLite (row triggers) and, in CI, on PostgreSQL (statement triggers)."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from inquiry import services
from inquiry.models import (
    Certificate,
    Employer,
    FundAccount,
    LedgerEntry,
    LoanContract,
    LoanProgressStep,
    Member,
    Repayment,
)
from inquiry.tests.factories import (
    EmployerFactory,
    FundAccountFactory,
    LedgerEntryFactory,
    LoanContractFactory,
    LoanProgressStepFactory,
    RepaymentFactory,
)

pytestmark = pytest.mark.django_db


def version(member: Member) -> int:
    return Member.objects.values_list("data_version", flat=True).get(pk=member.pk)


@pytest.fixture
def pair():
    """Two members with accounts at one employer, and a third at another."""
    employer = EmployerFactory()
    a, b = FundAccountFactory(employer=employer), FundAccountFactory(employer=employer)
    c = FundAccountFactory()
    return a.member, b.member, c.member


def changes(member: Member, others: list[Member], write) -> None:
    """`write` raises member's version and leaves the others' alone."""
    before = version(member), [version(o) for o in others]
    write()
    assert version(member) > before[0]
    assert [version(o) for o in others] == before[1]


def test_member_update_raises_it_and_a_stale_save_never_lowers_it(pair):
    a, b, _ = pair
    stale = Member.objects.get(pk=a.pk)
    changes(a, [b], lambda: LedgerEntryFactory(account=a.fund_account))
    seen = version(a)
    stale.name = "改名"
    stale.save()  # writes the old data_version it loaded
    assert version(a) == seen + 1


@pytest.mark.parametrize("kind", ["create", "update", "delete", "bulk", "raw_sql"])
def test_ledger_rows_raise_their_members_version(pair, kind):
    a, b, c = pair
    entry = LedgerEntryFactory(account=a.fund_account)
    writes = {
        "create": lambda: LedgerEntryFactory(account=a.fund_account),
        "update": lambda: LedgerEntry.objects.filter(pk=entry.pk).update(summary="更正"),
        "delete": lambda: LedgerEntry.objects.filter(pk=entry.pk).delete(),
        "bulk": lambda: LedgerEntry.objects.bulk_create(
            LedgerEntryFactory.build(account=a.fund_account) for _ in range(3)
        ),
        # A posting from the center's core system, which knows no Django.
        "raw_sql": lambda: raw_insert_ledger(a.fund_account, entry),
    }
    changes(a, [b, c], writes[kind])


def raw_insert_ledger(account: FundAccount, like: LedgerEntry) -> None:
    fields = [f for f in LedgerEntry._meta.concrete_fields if f.column != "id"]
    values = {f.column: f.get_db_prep_save(getattr(like, f.attname), connection) for f in fields}
    values.update(account_id=account.pk, serial_no=f"RAW{like.pk}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO inquiry_ledgerentry ({', '.join(values)}) VALUES ({', '.join(['%s'] * len(values))})",  # noqa: S608
            list(values.values()),
        )


def test_a_pending_withdrawal_and_its_reversal_raise_it(pair):
    a, b, _ = pair
    account = FundAccount.objects.get(pk=a.fund_account.pk)
    account.balance = Decimal("1000.00")
    account.save()
    serial = "WT202611300000000001"
    changes(
        a,
        [b],
        lambda: services.withdrawal_provisional_book(
            account=account, amount=Decimal("10.00"), reason="07", summary="租房提取", serial_no=serial
        ),
    )
    changes(a, [b], lambda: services.pending_entry_reverse(serial_no=serial))


def test_loans_repayments_and_progress_raise_it(pair):
    a, b, _ = pair
    loan = LoanContractFactory(member=a)
    changes(a, [b], lambda: LoanContractFactory(member=a))
    changes(a, [b], lambda: LoanContract.objects.filter(pk=loan.pk).update(outstanding_principal=Decimal("1.00")))
    changes(a, [b], lambda: RepaymentFactory(contract=loan, repaid_on=date(2025, 1, 1)))
    changes(a, [b], lambda: Repayment.objects.filter(contract=loan).delete())
    changes(a, [b], lambda: LoanProgressStepFactory(contract=loan, order=1))
    changes(a, [b], lambda: LoanProgressStep.objects.filter(contract=loan).update(name="审批"))


def test_account_and_employer_changes_raise_it_for_that_employers_members_only(pair):
    a, b, c = pair
    changes(a, [b, c], lambda: FundAccount.objects.filter(pk=a.fund_account.pk).update(balance=Decimal("5.00")))
    before_b, before_c = version(b), version(c)
    changes(a, [c], lambda: Employer.objects.filter(pk=a.fund_account.employer_id).update(name="新单位名称"))
    assert version(b) > before_b and version(c) == before_c


def test_certificates_raise_it(pair):
    """The cached pages with an issuing form carry its one-time token: a
    certificate issued (or voided) must retire them."""
    a, b, _ = pair

    def issue():
        return Certificate.objects.create(
            member=a,
            kind=Certificate.Kind.DEPOSIT,
            title="缴存证明",
            purpose="loan",
            code_hash=uuid.uuid4().hex * 2,
            code_hint="AAAA-****-****-****-BBBB",
            form_token=uuid.uuid4(),
            pdf_sha256="0" * 64,
            valid_until=timezone.now() + timedelta(days=30),
        )

    changes(a, [b], issue)
    changes(
        a, [b], lambda: Certificate.objects.filter(member=a).update(voided_at=timezone.now(), void_reason="本人作废")
    )
    changes(a, [b], lambda: Certificate.objects.filter(member=a).delete())
