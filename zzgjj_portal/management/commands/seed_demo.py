"""`manage.py seed_demo`: a deterministic, idempotent demo data set.

Members are keyed by ID number: a member already present is left untouched,
so running the command twice changes nothing. A composition point: it lives in
zzgjj_portal because it fills every app's tables.
"""

from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from inquiry import demo_data
from inquiry.models import Employer, FundAccount, LedgerEntry, LoanContract, LoanProgressStep, Member, Repayment
from tasks.models import Message


def default_as_of() -> date:
    """The last day of the previous month (local time): a closed month of data."""
    return timezone.localdate().replace(day=1) - timedelta(days=1)


class Command(BaseCommand):
    help = "Create the demo employers, members, ledgers, loans and messages (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Date the demo data runs to (YYYY-MM-DD); default: end of last month.")
        parser.add_argument("--members", type=int, default=60, help="How many members (at least 50 recommended).")

    def handle(self, *args, **options):
        try:
            as_of = date.fromisoformat(options["as_of"]) if options["as_of"] else default_as_of()
        except ValueError as exc:
            raise CommandError("--as-of must be YYYY-MM-DD") from exc
        specs = demo_data.build_members(as_of, count=max(options["members"], 2))
        created = seed(specs)
        self.stdout.write(f"seed_demo: {created} new members, {len(specs) - created} already present (as of {as_of}).")


@transaction.atomic
def seed(specs: list[demo_data.MemberSpec]) -> int:
    employers = {}
    for account_no, name in demo_data.EMPLOYERS:
        employers[account_no], _ = Employer.objects.get_or_create(account_no=account_no, defaults={"name": name})
    existing = set(
        Member.objects.filter(id_number__in=[s.id_number for s in specs]).values_list("id_number", flat=True)
    )
    # Demo passwords are hashed once per run: Argon2 is deliberately slow, and
    # only the demo member's password is published.
    demo_hash = make_password(demo_data.DEMO_PASSWORD)
    created = 0
    for spec in specs:
        if spec.id_number in existing:
            continue
        _create_member(spec, employers, demo_hash)
        created += 1
    return created


def _aware(value):
    return timezone.make_aware(value) if value is not None else None


def _create_member(spec: demo_data.MemberSpec, employers: dict, password_hash: str) -> None:
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
                contract=contract, order=s.order, name=s.name, state=s.state, handled_at=_aware(s.handled_at)
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
    Message.objects.bulk_create(
        Message(
            member=member,
            business=m.business,
            content=m.content,
            channel=m.channel,
            sent_at=_aware(m.sent_at),
            read_at=_aware(m.sent_at) + timedelta(hours=2) if m.read else None,
        )
        for m in spec.messages
    )
    if spec.registered:
        User.objects.create(username=f"member-{member.pk}", member=member, password=password_hash)
