"""Bookings the records make for approved applications: a withdrawal, a new
contract 未发放, and 放款 (inquiry.services)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import StaffUserFactory
from inquiry import amortization, selectors, services
from inquiry.models import AccountStatus, LedgerEntry, LoanContract, LoanProgressName
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
    contract = services.loan_disburse(
        contract=contract, step_dates={Name.DISBURSE: date(2026, 1, 31)}, actor=staff_client.staff
    )
    plan = amortization.schedule("equal_principal", contract.amount, contract.annual_rate, 240, date(2026, 2, 28))
    assert contract.next_due_on == date(2026, 2, 28) and contract.monthly_payment == plan[0].total
    assert selectors.loan_plan(loan=contract, start=None, end=None).rows == plan


CHANGELIST = reverse("admin:inquiry_loancontract_changelist")


def disburse_form(client, *contracts):
    """The first step of the action: the changelist's 放款 for `contracts`, answered by the dates page."""
    response = client.post(
        CHANGELIST, {"action": "disburse", "index": "0", "_selected_action": [c.pk for c in contracts]}
    )
    assert response.status_code == HTTPStatus.OK
    return response


def disburse_post(client, contracts, dates):
    data = {"action": "disburse", "apply": "1", "_selected_action": [c.pk for c in contracts], **dates}
    return client.post(CHANGELIST, data, follow=True)


def test_admin_disburse_asks_the_day_of_each_step_not_yet_done_then_records_them(staff_client):
    contract = opened_contract()
    page = disburse_form(staff_client, contract)
    html = page.content.decode()
    fields = page.context["form"].rows[0].fields
    assert [name for name, _ in fields] == [Name.SIGN, Name.MORTGAGE, Name.DISBURSE]
    for name, field in fields:
        assert f'<label for="{field.id_for_label}">{name}' in html
        assert field.value() == TODAY  # default today, as the browser's date input reads it
        assert f'id="{field.id_for_label}"' in html and f'value="{TODAY.isoformat()}"' in html
    assert contract.contract_no in html and "请填写各环节的办理日期" in html
    contract.refresh_from_db()
    assert contract.status == LoanContract.Status.NOT_DISBURSED  # nothing done before the dates are sent

    days = [APPLIED + timedelta(days=n) for n in (5, 12, 20)]
    response = disburse_post(
        staff_client, [contract], {f.html_name: d.isoformat() for (_, f), d in zip(fields, days, strict=True)}
    )
    assert (
        response.status_code == HTTPStatus.OK
        and f"借款合同【{contract.contract_no}】已放款" in response.content.decode()
    )
    contract.refresh_from_db()
    assert contract.status == LoanContract.Status.ACTIVE and contract.disbursed_on == days[2]
    assert [row[2] for row in progress(contract)[3:]] == days


@pytest.mark.parametrize(
    ("days", "words"),
    [((5, 12, 41), "晚于今天"), ((5, -3, 20), "早于申请日期"), ((5, 12, "2026-13-01"), "输入一个有效的日期")],
)
def test_admin_disburse_shows_a_refused_day_on_the_dates_page_and_records_nothing(staff_client, days, words):
    contract = opened_contract()
    fields = disburse_form(staff_client, contract).context["form"].rows[0].fields
    values = [d if isinstance(d, str) else (APPLIED + timedelta(days=d)).isoformat() for d in days]
    response = disburse_post(
        staff_client, [contract], {f.html_name: v for (_, f), v in zip(fields, values, strict=True)}
    )
    assert response.status_code == HTTPStatus.OK
    assert words in response.content.decode() and "请填写各环节的办理日期" in response.content.decode()
    contract.refresh_from_db()
    assert contract.status == LoanContract.Status.NOT_DISBURSED
    assert [row[1] for row in progress(contract)[3:]] == ["current", "pending", "pending"]


def test_admin_disburse_refuses_a_contract_already_disbursed(staff_client):
    contract = LoanContractFactory(status=LoanContract.Status.ACTIVE)
    response = staff_client.post(
        CHANGELIST, {"action": "disburse", "index": "0", "_selected_action": [contract.pk]}, follow=True
    )
    assert "不是未发放状态" in response.content.decode()


def test_admin_disburse_by_a_disburser_who_is_not_a_superuser(client, staff_client):
    from django.contrib.auth.models import Group

    from conftest import log_in_staff

    user = StaffUserFactory(is_superuser=False, username="fangkuan", name="钱放款")
    user.groups.add(Group.objects.get(name="放款员"))
    disburser = log_in_staff(client, user)
    contract = opened_contract(approved_by=staff_client.staff)
    assert disburser.get(CHANGELIST).status_code == HTTPStatus.OK
    fields = disburse_form(disburser, contract).context["form"].rows[0].fields
    response = disburse_post(disburser, [contract], {f.html_name: TODAY.isoformat() for _, f in fields})
    assert "已放款" in response.content.decode()
    contract.refresh_from_db()
    assert contract.is_running
    assert set(
        contract.progress_steps.filter(name__in=[Name.SIGN, Name.MORTGAGE, Name.DISBURSE]).values_list(
            "handled_by", flat=True
        )
    ) == {user.pk}


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


# 放款: the steps after approval, each on the day it was done ---------------

Name = LoanProgressName
TODAY = timezone.localdate()
APPLIED = TODAY - timedelta(days=40)


def opened_contract(applied_on=APPLIED, approved_by=None):
    """A contract 未发放 as an approved application opens it: 申请受理, 审核 and
    审批 done the day after applying, then 签订合同 (current), 抵押登记, 放款."""
    at = timezone.make_aware(datetime.combine(applied_on + timedelta(days=1), datetime.min.time()))
    return services.loan_contract_open(
        member=FundAccountFactory().member,
        contract_no=f"ZZ{applied_on:%Y}W{LoanContract.objects.count() + 1:07d}",
        amount=Decimal("200000.00"),
        term_months=120,
        annual_rate=Decimal("0.026"),
        repayment_method="equal_installment",
        applied_on=applied_on,
        done_steps=[
            services.ProgressSpec(Name.ACCEPT, at),
            services.ProgressSpec(Name.REVIEW, at),
            services.ProgressSpec(Name.APPROVE, at, handled_by=approved_by),
        ],
    )


def progress(contract):
    return [
        (s.name, s.state, timezone.localdate(s.handled_at) if s.handled_at else None, s.handled_by)
        for s in contract.progress_steps.order_by("order")
    ]


def test_loan_disburse_records_each_remaining_step_on_its_own_day(staff_client):
    contract = opened_contract()
    signed, mortgaged, paid = APPLIED + timedelta(days=5), APPLIED + timedelta(days=12), APPLIED + timedelta(days=20)
    staff = staff_client.staff
    contract = services.loan_disburse(
        contract=contract, step_dates={Name.SIGN: signed, Name.MORTGAGE: mortgaged, Name.DISBURSE: paid}, actor=staff
    )
    approved = APPLIED + timedelta(days=1)
    assert progress(contract) == [
        (Name.ACCEPT, "done", approved, None),
        (Name.REVIEW, "done", approved, None),
        (Name.APPROVE, "done", approved, None),
        (Name.SIGN, "done", signed, staff),
        (Name.MORTGAGE, "done", mortgaged, staff),
        (Name.DISBURSE, "done", paid, staff),
    ]
    assert contract.status == LoanContract.Status.ACTIVE and contract.disbursed_on == paid
    assert contract.next_due_on == amortization.add_months(paid, 1)


@pytest.mark.parametrize(
    ("dates", "code", "words"),
    [
        ({Name.SIGN: 5, Name.DISBURSE: 20}, "step_date_missing", "请填写【抵押登记】的办理日期"),
        ({Name.SIGN: 5, Name.MORTGAGE: 12}, "step_date_missing", "请填写【放款】的办理日期"),
        ({Name.SIGN: 5, Name.MORTGAGE: 12, Name.DISBURSE: 41}, "date_in_future", "【放款】的办理日期"),
        ({Name.SIGN: -1, Name.MORTGAGE: 12, Name.DISBURSE: 20}, "date_before_application", "早于申请日期"),
        ({Name.SIGN: 12, Name.MORTGAGE: 5, Name.DISBURSE: 20}, "date_out_of_order", "早于【签订合同】"),
        ({Name.SIGN: 0, Name.MORTGAGE: 12, Name.DISBURSE: 20}, "date_out_of_order", "早于【审批】"),
        (
            {Name.APPROVE: 3, Name.SIGN: 5, Name.MORTGAGE: 12, Name.DISBURSE: 20},
            "step_not_pending",
            "【审批】已办理",
        ),
    ],
)
def test_loan_disburse_refuses_dates_the_books_cannot_hold_and_changes_nothing(staff_client, dates, code, words):
    contract = opened_contract()
    before = progress(contract)
    step_dates = {name: APPLIED + timedelta(days=days) for name, days in dates.items()}
    with pytest.raises(services.BookingRefused) as info:
        services.loan_disburse(contract=contract, step_dates=step_dates, actor=staff_client.staff)
    assert info.value.code == code and words in info.value.message, info.value.message
    contract.refresh_from_db()
    assert contract.status == LoanContract.Status.NOT_DISBURSED and progress(contract) == before


def test_loan_disburse_only_completes_the_steps_not_yet_done(staff_client):
    contract = opened_contract()
    signed_at = timezone.make_aware(datetime.combine(APPLIED + timedelta(days=3), datetime.min.time()))
    contract.progress_steps.filter(name=Name.SIGN).update(state="done", handled_at=signed_at)
    contract.progress_steps.filter(name=Name.MORTGAGE).update(state="current")
    paid = APPLIED + timedelta(days=9)
    services.loan_disburse(
        contract=contract,
        step_dates={Name.MORTGAGE: APPLIED + timedelta(days=8), Name.DISBURSE: paid},
        actor=staff_client.staff,
    )
    rows = progress(contract)
    assert rows[3] == (Name.SIGN, "done", APPLIED + timedelta(days=3), None)  # as it was recorded
    assert rows[4][2] == APPLIED + timedelta(days=8) and rows[5][2] == paid


def test_loan_disburse_four_eyes_whoever_approved_the_loan_cannot_pay_it_out(staff_client):
    approver = StaffUserFactory(username="approver9")
    contract = opened_contract(approved_by=approver)
    dates = {Name.SIGN: TODAY, Name.MORTGAGE: TODAY, Name.DISBURSE: TODAY}
    with pytest.raises(services.BookingRefused) as info:
        services.loan_disburse(contract=contract, step_dates=dates, actor=approver)
    assert info.value.code == "four_eyes" and "【审批】" in info.value.message
    assert services.loan_disburse(contract=contract, step_dates=dates, actor=staff_client.staff).is_running
