"""Writes the demo records of one member (the seed_demo command calls it)."""

from datetime import datetime

from django.utils import timezone

from inquiry.demo.members import EMPLOYERS
from inquiry.demo.specs import MemberSpec
from inquiry.models import Employer, FundAccount, LedgerEntry, LoanContract, LoanProgressStep, Member, Repayment


def aware(value: datetime | None) -> datetime | None:
    """A naive demo time as local time (Asia/Shanghai)."""
    return timezone.make_aware(value) if value is not None else None


def employers_create() -> dict[str, Employer]:
    """The demo employers by account number (existing ones are kept)."""
    return {
        account_no: Employer.objects.get_or_create(account_no=account_no, defaults={"name": name})[0]
        for account_no, name in EMPLOYERS
    }


def member_records_create(spec: MemberSpec, employers: dict[str, Employer]) -> Member:
    """The member, the fund account with its ledger, and the loan contracts
    with their progress and repayments."""
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
        bank_account_no=f"6217000{spec.account_no}",  # a demo bank card (19 digits) for withdrawals
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
