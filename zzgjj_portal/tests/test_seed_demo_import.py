"""seed_demo through books_import gives the very records the ORM seed wrote.

The reference is the demo's former writer (kept here, nowhere else): it wrote
each MemberSpec with the ORM. The same `as_of` is seeded both ways, and every
field of every record is compared by its natural key, ids aside. The fields
only the import fills (the core's 缴至年月, 销户日期, 贷款账号, 结清日期, a
repayment's 业务流水号 and 期次) are checked on their own; 办理时间 of a progress node is
compared by its day (the core's 办理日期 is a day, and the page shows the day).
"""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from inquiry.demo import build_members
from inquiry.demo import interchange as rows
from inquiry.demo.loans import aware
from inquiry.demo.members import EMPLOYERS
from inquiry.demo.specs import MemberSpec
from inquiry.models import (
    CLOSED_STATUSES,
    Employer,
    FundAccount,
    ImportRun,
    LedgerEntry,
    LoanContract,
    LoanProgressStep,
    Member,
    Repayment,
)

pytestmark = pytest.mark.django_db
AS_OF = "2026-10-31"
MEMBERS = 60
# Filled by the import only, checked apart; or bookkeeping of the row itself.
IMPORT_ONLY = {
    Employer: set(),
    Member: {"created_at", "data_version"},
    FundAccount: {"paid_through", "closed_on", "discrepancy"},
    LedgerEntry: set(),
    LoanContract: {"loan_account_no", "decision_serial_no", "discrepancy", "settled_on"},
    LoanProgressStep: {"handled_at"},
    Repayment: {"serial_no", "period_no"},
}


def reference_records_create(spec: MemberSpec, employers: dict[str, Employer]) -> Member:
    """The demo's former ORM writer (inquiry/demo/records.py before the import)."""
    member = Member.objects.create(name=spec.name, id_number=spec.id_number, phone=spec.phone)
    account = FundAccount.objects.create(
        member=member,
        account_no=spec.account_no,
        employer=employers[spec.employer_account_no],
        deposit_base=spec.deposit_base,
        employer_rate=spec.employer_rate,
        personal_rate=spec.personal_rate,
        balance=spec.balance,
        opened_on=spec.opened_on,
        status=spec.status,
        bank_account_no=f"6217000{spec.account_no}",
    )
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            account=account,
            booked_on=entry.booked_on,
            kind=entry.kind,
            period=entry.period,
            amount=entry.amount,
            balance_after=entry.balance_after,
            summary=entry.summary,
            withdrawal_reason=entry.withdrawal_reason,
            serial_no=f"{spec.account_no}{number:05d}",
        )
        for number, entry in enumerate(spec.entries, start=1)
    )
    for loan in spec.loans:
        contract = LoanContract.objects.create(
            member=member,
            contract_no=loan.contract_no,
            amount=loan.amount,
            term_months=loan.term_months,
            annual_rate=loan.annual_rate,
            repayment_method=loan.repayment_method,
            applied_on=loan.applied_on,
            disbursed_on=loan.disbursed_on,
            status=loan.status,
            outstanding_principal=loan.outstanding_principal,
            monthly_payment=loan.monthly_payment,
            remaining_months=loan.remaining_months,
            next_due_on=loan.next_due_on,
        )
        LoanProgressStep.objects.bulk_create(
            LoanProgressStep(
                contract=contract, order=s.order, name=s.name, state=s.state, handled_at=aware(s.handled_at)
            )
            for s in loan.steps
        )
        Repayment.objects.bulk_create(
            Repayment(
                contract=contract,
                repaid_on=r.repaid_on,
                principal=r.principal,
                interest=r.interest,
                principal_to_date=r.principal_to_date,
                interest_to_date=r.interest_to_date,
                outstanding_after=r.outstanding_after,
            )
            for r in loan.repayments
        )
    return member


def _fields(model) -> list[str]:
    skip = {"id"} | IMPORT_ONLY[model]
    return [f.attname for f in model._meta.concrete_fields if f.name not in skip]


def records() -> dict[str, object]:
    """Every record of the demo's books by natural key, foreign keys as the
    keys they point at, and each ledger and repayment list in page order."""
    members = {m.pk: m.id_number for m in Member.objects.all()}
    accounts = {a.pk: a.account_no for a in FundAccount.objects.all()}
    contracts = {c.pk: c.contract_no for c in LoanContract.objects.all()}
    employers = {e.pk: e.account_no for e in Employer.objects.all()}
    names = {"member_id": members, "account_id": accounts, "contract_id": contracts, "employer_id": employers}

    def rows_of(model, order):
        fields = _fields(model)

        def keyed(field, value):
            return names[field][value] if field in names and value is not None else value

        return [
            {f: keyed(f, v) for f, v in zip(fields, values, strict=True)}
            for values in model.objects.order_by(*order).values_list(*fields)
        ]

    steps = rows_of(LoanProgressStep, ["contract__contract_no", "order"])
    days = [
        timezone.localdate(at) if at else None
        for at in LoanProgressStep.objects.order_by("contract__contract_no", "order").values_list(
            "handled_at", flat=True
        )
    ]
    return {
        "employers": rows_of(Employer, ["account_no"]),
        "members": rows_of(Member, ["id_number"]),
        "accounts": rows_of(FundAccount, ["account_no"]),
        # Page order: by account, then as 缴存支取信息 lists them.
        "ledger": rows_of(LedgerEntry, ["account__account_no", "booked_on", "id"]),
        "loans": rows_of(LoanContract, ["contract_no"]),
        "steps": [dict(step, day=day) for step, day in zip(steps, days, strict=True)],
        "repayments": rows_of(Repayment, ["contract__contract_no", "repaid_on", "id"]),
    }


@pytest.fixture
def specs():
    return build_members(date.fromisoformat(AS_OF), count=MEMBERS)


def test_seed_demo_through_the_import_writes_what_the_orm_seed_wrote(specs):
    with transaction.atomic():
        call_command("seed_demo", as_of=AS_OF, members=MEMBERS)
        imported = records()
        _import_only_fields_are_filled(specs)
        transaction.set_rollback(True)
    employers = {n: Employer.objects.create(account_no=n, name=name) for n, name in EMPLOYERS}
    for spec in specs:
        reference_records_create(spec, employers)
    reference = records()
    for name in reference:
        assert len(imported[name]) == len(reference[name]) > 0, name
        for got, want in zip(imported[name], reference[name], strict=True):
            assert got == want, name


def _import_only_fields_are_filled(specs):
    by_account = {s.account_no: s for s in specs}
    for account in FundAccount.objects.all():
        spec = by_account[account.account_no]
        assert account.paid_through == (rows.paid_through(spec.entries) or "")
        assert (account.closed_on is not None) == (spec.status in CLOSED_STATUSES)
        assert account.discrepancy == ""
    for loan in LoanContract.objects.all():
        assert loan.discrepancy == "", loan.contract_no
        expected = "" if loan.status == LoanContract.Status.NOT_DISBURSED else rows.loan_account_no(loan.contract_no)
        assert loan.loan_account_no == expected
        # 结清日期: a settled demo loan is paid off by its last repayment.
        last = loan.repayments.order_by("repaid_on", "id").last()
        settled = loan.status == LoanContract.Status.SETTLED
        assert loan.settled_on == (last.repaid_on if settled else None), loan.contract_no
        numbers = list(loan.repayments.order_by("repaid_on", "id").values_list("period_no", "serial_no"))
        assert numbers == [(n, rows.repayment_serial_no(loan.contract_no, n)) for n in range(1, len(numbers) + 1)]
    run = ImportRun.objects.get()
    assert (run.status, run.kind, run.rows_rejected) == (ImportRun.Status.APPLIED, "delta", 0)


def test_seed_demo_second_run_writes_no_batch_and_a_larger_set_only_the_new_members():
    call_command("seed_demo", as_of=AS_OF, members=2)
    assert ImportRun.objects.count() == 1
    call_command("seed_demo", as_of=AS_OF, members=2)
    assert ImportRun.objects.count() == 1
    first = set(LedgerEntry.objects.values_list("serial_no", "amount", "balance_after"))
    call_command("seed_demo", as_of=AS_OF, members=5)
    assert list(ImportRun.objects.order_by("batch_no").values_list("batch_no", "rows_rejected")) == [(1, 0), (2, 0)]
    assert Member.objects.count() == 5
    # The first two members' records are untouched by the second batch.
    assert first <= set(LedgerEntry.objects.values_list("serial_no", "amount", "balance_after"))
