"""The round trip: 审批 approves → the outbox → books_export → the simulated
core books it into a delta batch → books_import → exactly one ledger row, the
balance reconciles, 我发起的 says 已入账. And the core's other answers: a
refusal (入账失败), a loan contract, its disbursement, a closing withdrawal."""

import uuid
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from inquiry.models import AccountStatus, ImportRun, LedgerEntry, LoanContract, LoanProgressStep
from tasks.models import Decision
from tasks.services import applications as services
from tasks.tests.conftest import BANK_ACCOUNT, deposit_months, staff_in
from zzgjj_portal.management.commands.core_simulate import contract_no_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(member_user):
    """A registered member: a 正常 account with 24,000.00 from twelve deposits."""
    account = member_user.member.fund_account
    account.bank_account_no = BANK_ACCOUNT
    account.save(update_fields=["bank_account_no"])
    deposit_months(account, 12)
    return member_user.member


@pytest.fixture
def staff(db):
    return [
        staff_in("受理员", username="clerk", name="张受理"),
        staff_in("审核员", username="reviewer", name="李审核"),
        staff_in("审批员", username="approver", name="王审批"),
    ]


def approve(application, staff) -> Decision:
    for step, actor in zip(("accept", "review", "approve"), staff, strict=True):
        application = services.application_step_approve(application_id=application.pk, step=step, actor=actor)
    return application.decision


def withdrawal(member, staff, amount="3000.00", kind="rent") -> Decision:
    submitted = services.withdrawal_submit(
        member=member,
        withdrawal_kind=kind,
        amount=Decimal(amount) if amount else None,
        form_token=uuid.uuid4(),
    )
    return approve(submitted.application, staff)


def simulate(*args) -> str:
    out = StringIO()
    call_command("core_simulate", *args, stdout=out)
    return out.getvalue()


def reconciled(account) -> Decimal:
    """The balance, once it equals the sum of the ledger and the last running balance."""
    account.refresh_from_db()
    entries = list(account.entries.order_by("booked_on", "id"))
    assert sum((e.amount for e in entries), Decimal("0.00")) == account.balance
    assert entries[-1].balance_after == account.balance
    assert account.discrepancy == ""
    return account.balance


def test_core_simulate_round_trip_books_an_approved_withdrawal_once(member, staff, member_client):
    decision = withdrawal(member, staff)
    account = member.fund_account
    assert LedgerEntry.objects.get(serial_no=decision.serial_no).pending
    out = simulate()
    assert "1 booked" in out
    decision.refresh_from_db()
    assert decision.state == Decision.State.BOOKED and decision.acked_at is not None
    (entry,) = LedgerEntry.objects.filter(serial_no=decision.serial_no)
    assert (entry.pending, entry.amount, entry.kind) == (False, Decimal("-3000.00"), LedgerEntry.Kind.WITHDRAWAL)
    assert reconciled(account) == Decimal("21000.00")
    page = member_client.get(reverse("tasks:applications")).content.decode()
    assert "已入账" in page
    # Nothing left to book: a second round writes no batch and changes nothing.
    runs = ImportRun.objects.count()
    assert "没有待入账的决定" in simulate()
    assert ImportRun.objects.count() == runs
    assert LedgerEntry.objects.filter(serial_no=decision.serial_no).count() == 1


def test_core_simulate_refusal_fails_the_decision_and_gives_the_money_back(member, staff, member_client):
    decision = withdrawal(member, staff)
    assert "1 refused" in simulate("--refuse", decision.serial_no, "账户已冻结")
    decision.refresh_from_db()
    assert (decision.state, decision.failure_reason) == (Decision.State.FAILED, "账户已冻结")
    assert not LedgerEntry.objects.filter(serial_no=decision.serial_no).exists()
    assert reconciled(member.fund_account) == Decimal("24000.00")
    assert "入账失败" in member_client.get(reverse("tasks:applications")).content.decode()


def test_core_simulate_refuses_what_its_own_balance_cannot_pay(member, staff):
    first = withdrawal(member, staff, amount="10000.00")
    # The core's balance is 24,000.00: it books the first and refuses a second that would overdraw it.
    Decision.objects.filter(pk=first.pk).update(amount=Decimal("30000.00"))
    assert "1 refused" in simulate()
    first.refresh_from_db()
    assert first.state == Decision.State.FAILED and "余额不足" in first.failure_reason


def test_core_simulate_refuse_names_only_a_pending_decision(member, staff):
    from django.core.management.base import CommandError

    withdrawal(member, staff)
    with pytest.raises(CommandError, match="WT0000"):
        simulate("--refuse", "WT0000", "原因")


def test_core_simulate_makes_the_loan_contract_then_disburses_it(member, staff):
    submitted = services.loan_submit(
        member=member,
        amount=Decimal("300000.00"),
        term_years=15,
        repayment_method="equal_installment",
        property_address="枣庄市市中区光明路1号",
        property_price=Decimal("500000.00"),
        form_token=uuid.uuid4(),
    )
    decision = approve(submitted.application, staff)
    simulate()
    contract = LoanContract.objects.get(decision_serial_no=decision.serial_no)
    assert contract.contract_no == contract_no_for(decision.serial_no)
    assert (contract.status, contract.amount, contract.term_months) == ("not_disbursed", Decimal("300000.00"), 180)
    assert contract.applied_on == timezone.localdate(submitted.application.submitted_at)
    states = list(contract.progress_steps.order_by("order").values_list("name", "state"))
    State = LoanProgressStep.State
    assert states == [
        ("申请受理", State.DONE),
        ("审核", State.DONE),
        ("审批", State.DONE),
        ("签订合同", State.CURRENT),
        ("抵押登记", State.PENDING),
        ("放款", State.PENDING),
    ]
    decision.refresh_from_db()
    assert decision.state == Decision.State.BOOKED
    assert "1 disbursed" in simulate("--disburse")
    contract.refresh_from_db()
    assert contract.status == LoanContract.Status.ACTIVE
    assert contract.outstanding_principal == contract.amount and contract.remaining_months == 180
    assert contract.loan_account_no and contract.monthly_payment > 0
    assert set(contract.progress_steps.values_list("state", flat=True)) == {State.DONE}


def test_core_simulate_closing_withdrawal_closes_the_account(member, staff):
    account = member.fund_account
    member.id_number = "370402195801011232"  # born 1958: of retirement age
    member.save(update_fields=["id_number"])
    decision = withdrawal(member, staff, amount=None, kind="retirement")
    assert decision.close_account
    simulate()
    account.refresh_from_db()
    assert (account.status, account.balance) == (AccountStatus.CLOSED_WITHDRAWN, Decimal("0.00"))
    assert account.closed_on is not None
    assert LedgerEntry.objects.get(serial_no=decision.serial_no).pending is False
