"""Bookings the records make for approved applications: a withdrawal, a new
contract 未发放, and 放款 (inquiry.services)."""

from datetime import date, datetime
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from inquiry import amortization, selectors, services
from inquiry.models import AccountStatus, LedgerEntry, LoanContract
from inquiry.tests.factories import FundAccountFactory, LedgerEntryFactory, LoanContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    account = FundAccountFactory(balance=Decimal("5000.00"))
    LedgerEntryFactory(account=account, amount=Decimal("5000.00"), balance_after=Decimal("5000.00"))
    return account


def reconciles(account) -> bool:
    account.refresh_from_db()
    return account.balance == sum(e.amount for e in account.entries.all())


def test_withdrawal_book_writes_a_negative_entry_with_reason_and_serial(account):
    entry = services.withdrawal_book(
        account=account, amount=Decimal("1234.56"), reason="租赁自住住房", summary="网上租房提取"
    )
    other = services.withdrawal_book(
        account=account, amount=Decimal("0.44"), reason="租赁自住住房", summary="网上租房提取"
    )
    assert (entry.kind, entry.amount, entry.withdrawal_reason) == (
        LedgerEntry.Kind.WITHDRAWAL,
        Decimal("-1234.56"),
        "租赁自住住房",
    )
    assert entry.balance_after == Decimal("3765.44") and other.balance_after == Decimal("3765.00")
    assert entry.serial_no != other.serial_no and entry.booked_on == timezone.localdate()
    assert reconciles(account) and account.status == AccountStatus.NORMAL


@pytest.mark.parametrize(
    ("amount", "status", "code"),
    [
        (Decimal("5000.01"), AccountStatus.NORMAL, "insufficient_balance"),
        (Decimal("0"), AccountStatus.NORMAL, "amount_invalid"),
        (Decimal("1.001"), AccountStatus.NORMAL, "amount_invalid"),
        # Negative would pass every constraint (a non-zero amount, a higher
        # balance): only the service stops a "withdrawal" that pays money in.
        (Decimal("-100.00"), AccountStatus.NORMAL, "amount_invalid"),
        (Decimal("1.00"), AccountStatus.FROZEN, "account_not_normal"),
        (Decimal("1.00"), AccountStatus.SEALED, "account_not_normal"),
    ],
)
def test_withdrawal_book_refuses_and_books_nothing(account, amount, status, code):
    account.status = status
    account.save()
    with pytest.raises(services.BookingRefused) as info:
        services.withdrawal_book(account=account, amount=amount, reason="x", summary="x")
    assert info.value.code == code
    assert account.entries.count() == 1 and reconciles(account) and account.balance == Decimal("5000.00")


def test_withdrawal_book_closing_the_account_when_paid_out(account):
    services.withdrawal_book(
        account=account, amount=Decimal("5000.00"), reason="离休、退休", summary="x", close_account=True
    )
    account.refresh_from_db()
    assert account.balance == 0 and account.status == AccountStatus.CLOSED_WITHDRAWN


def test_withdrawal_book_never_closes_an_account_with_an_unsettled_loan(account):
    LoanContractFactory(member=account.member, contract_no="ZZ2020000555", status=LoanContract.Status.OVERDUE)
    with pytest.raises(services.BookingRefused) as info:
        services.withdrawal_book(
            account=account, amount=Decimal("5000.00"), reason="03", summary="x", close_account=True
        )
    assert info.value.code == "closing_with_loan" and "ZZ2020000555" in info.value.message
    account.refresh_from_db()
    assert account.status == AccountStatus.NORMAL and account.entries.count() == 1


def test_loan_contract_open_is_not_disbursed_with_its_progress():
    member = FundAccountFactory().member
    at = timezone.make_aware(datetime(2026, 11, 2, 10, 0))
    contract = services.loan_contract_open(
        member=member,
        contract_no="ZZ2026W0000001",
        amount=Decimal("200000.00"),
        term_months=120,
        annual_rate=Decimal("0.026"),
        repayment_method="equal_installment",
        applied_on=date(2026, 11, 1),
        done_steps=[
            services.ProgressSpec("申请受理", at),
            services.ProgressSpec("审核", at),
            services.ProgressSpec("审批", at),
        ],
    )
    assert contract.status == LoanContract.Status.NOT_DISBURSED and contract.outstanding_principal == 0
    steps = selectors.loan_progress_steps(loan=contract)
    assert [(s.order, s.name, s.state) for s in steps] == [
        (1, "申请受理", "done"),
        (2, "审核", "done"),
        (3, "审批", "done"),
        (4, "签订合同", "current"),
        (5, "抵押登记", "pending"),
        (6, "放款", "pending"),
    ]


def test_loan_disburse_follows_the_engine(staff_client):
    contract = LoanContractFactory(
        status=LoanContract.Status.NOT_DISBURSED,
        disbursed_on=None,
        outstanding_principal=Decimal("0"),
        monthly_payment=None,
        remaining_months=0,
        next_due_on=None,
        repayment_method="equal_principal",
    )
    contract = services.loan_disburse(contract=contract, disbursed_on=date(2026, 1, 31), actor=staff_client.staff)
    plan = amortization.schedule("equal_principal", contract.amount, contract.annual_rate, 240, date(2026, 2, 28))
    assert contract.next_due_on == date(2026, 2, 28) and contract.monthly_payment == plan[0].total
    assert selectors.loan_plan(loan=contract, start=None, end=None).rows == plan


def test_admin_disburse_action_makes_the_contract_active_once(staff_client):
    contract = LoanContractFactory(
        status=LoanContract.Status.NOT_DISBURSED,
        disbursed_on=None,
        outstanding_principal=Decimal("0"),
        monthly_payment=None,
        remaining_months=0,
        next_due_on=None,
    )
    url = reverse("admin:inquiry_loancontract_changelist")
    response = staff_client.post(url, {"action": "disburse", "_selected_action": [contract.pk]}, follow=True)
    assert response.status_code == HTTPStatus.OK and "已放款" in response.content.decode()
    contract.refresh_from_db()
    assert contract.status == LoanContract.Status.ACTIVE and contract.outstanding_principal == contract.amount
    response = staff_client.post(url, {"action": "disburse", "_selected_action": [contract.pk]}, follow=True)
    assert "不是未发放状态" in response.content.decode()


def test_member_phone_change_to_a_number_another_member_holds_is_a_refusal_not_an_integrity_error(staff_client):
    # The unique constraint would also stop it, as a 500; the service refuses first, with a message.
    holder = FundAccountFactory(member__phone="13900001111").member
    other = FundAccountFactory().member
    before = other.phone
    with pytest.raises(ValidationError) as info:
        services.member_phone_change(member=other, phone=holder.phone, changed_by=staff_client.staff)
    assert info.value.code == "phone_taken" and info.value.messages
    other.refresh_from_db()
    assert other.phone == before != holder.phone
