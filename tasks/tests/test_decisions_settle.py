"""Decisions come back: the core's import says booked or refused
(inquiry.signals.decisions_settled), or the core does not book one in time
(the hourly job). Each settles once, and the member is told."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inquiry.models import LedgerEntry
from inquiry.signals import decisions_settled
from inquiry.tests.factories import LoanContractFactory
from tasks import jobs
from tasks.models import Decision, Message
from tasks.services import applications as services
from tasks.services.decisions import decisions_expire, decisions_settle
from tasks.tests.conftest import reconciles

pytestmark = pytest.mark.django_db


def approve(application, clerk, reviewer, approver):
    for step, actor in (("accept", clerk), ("review", reviewer), ("approve", approver)):
        application = services.application_step_approve(application_id=application.pk, step=step, actor=actor)
    return application


@pytest.fixture
def approved(member, clerk, reviewer, approver):
    """A 租房提取 of 3,000.00 approved: 待入账, the balance 21,000.00."""
    application = services.withdrawal_submit(
        member=member, withdrawal_kind="rent", amount=Decimal("3000.00"), form_token=uuid.uuid4()
    ).application
    return approve(application, clerk, reviewer, approver).decision


@pytest.fixture
def approved_loan(member, clerk, reviewer, approver):
    application = services.loan_submit(
        member=member,
        amount=Decimal("300000.00"),
        term_years=15,
        repayment_method="equal_installment",
        property_address="枣庄市市中区光明路1号",
        property_price=Decimal("500000.00"),
        form_token=uuid.uuid4(),
    ).application
    return approve(application, clerk, reviewer, approver).decision


def messages_of(member, business):
    return list(Message.objects.filter(member=member, business=business).values_list("content", flat=True))


def send(booked=(), refused=None):
    decisions_settled.send(sender=LedgerEntry, booked=list(booked), refused=dict(refused or {}))


def test_booked_by_the_core_is_booked_once_and_the_member_told(
    approved, member, account, django_capture_on_commit_callbacks
):
    # The import has turned the 待入账 entry into the core's booked row.
    LedgerEntry.objects.filter(serial_no=approved.serial_no).update(pending=False)
    with django_capture_on_commit_callbacks(execute=True):
        send(booked=[approved.serial_no, "TQ-A-CORE-SERIAL"])
        send(booked=[approved.serial_no])  # the same batch again
    approved.refresh_from_db()
    assert approved.state == Decision.State.BOOKED and approved.settled_at and approved.acked_at
    assert messages_of(member, "提取入账") == [
        f"您的租房提取(业务流水号{approved.serial_no})已入账,3,000.00元转入您的银行账户6217 **** **** 0001。"
    ]
    assert reconciles(account) and account.balance == Decimal("21000.00")


def test_booked_keeps_the_first_acknowledgement(approved, clock):
    acked = timezone.now()
    Decision.objects.filter(pk=approved.pk).update(acked_at=acked)
    clock.advance(hours=2)
    decisions_settle(booked=[approved.serial_no], refused={})
    approved.refresh_from_db()
    assert approved.acked_at == acked and approved.settled_at == acked + timedelta(hours=2)


def test_refused_by_the_core_fails_with_its_reason_reverses_and_tells_the_member(
    approved, member, account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(refused={approved.serial_no: "收款账户已销户"})
        send(refused={approved.serial_no: "收款账户已销户"})
    approved.refresh_from_db()
    assert (approved.state, approved.failure_reason) == (Decision.State.FAILED, "收款账户已销户")
    assert not LedgerEntry.objects.filter(serial_no=approved.serial_no).exists()
    assert reconciles(account) and account.balance == Decimal("24000.00")
    assert messages_of(member, "提取入账") == [
        f"您的租房提取(业务流水号{approved.serial_no})未能入账,原因:收款账户已销户。"
        "3,000.00元已退回您的公积金账户余额,如有疑问请咨询服务大厅或拨打12329。"
    ]


def test_refused_by_the_core_is_acknowledged_and_no_longer_offered(approved):
    from tasks.selectors.decisions import decisions_offered

    assert decisions_offered(after=0, limit=10) == [approved]
    decisions_settle(booked=[], refused={approved.serial_no: "收款账户已销户"})
    approved.refresh_from_db()
    # The core answered about it, so it has it: offering it again would ask it to book a refusal.
    assert approved.acked_at == approved.settled_at
    assert decisions_offered(after=0, limit=10) == []


def test_refused_with_the_core_s_own_full_stop_tells_the_member_without_doubling_it(
    approved, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(refused={approved.serial_no: "收款账户已销户。"})
    approved.refresh_from_db()
    assert approved.failure_reason == "收款账户已销户。"
    (content,) = messages_of(member, "提取入账")
    assert "原因:收款账户已销户。3,000.00元已退回" in content and "。。" not in content


def test_refused_after_the_import_removed_the_entry_itself_restores_nothing_twice(approved, account):
    from inquiry import services as records

    assert records.pending_entry_reverse(serial_no=approved.serial_no)  # as imp's import does
    decisions_settle(booked=[], refused={approved.serial_no: ""})
    approved.refresh_from_db()
    assert (approved.state, approved.failure_reason) == (Decision.State.FAILED, "业务系统未说明原因")
    assert reconciles(account) and account.balance == Decimal("24000.00")


def test_a_refusal_never_undoes_a_booking(approved, account):
    LedgerEntry.objects.filter(serial_no=approved.serial_no).update(pending=False)
    decisions_settle(booked=[approved.serial_no], refused={})
    assert decisions_settle(booked=[], refused={approved.serial_no: "迟到的拒绝"}).failed == []
    approved.refresh_from_db()
    assert approved.state == Decision.State.BOOKED and approved.failure_reason == ""
    assert reconciles(account) and account.balance == Decimal("21000.00")


def test_a_loan_booked_names_the_core_contract_on_the_application(
    approved_loan, member, django_capture_on_commit_callbacks
):
    LoanContractFactory(
        member=member, contract_no="ZZ2026H000123", status="not_disbursed", disbursed_on=None,
        outstanding_principal=0, decision_serial_no=approved_loan.serial_no,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        send(booked=[approved_loan.serial_no])
    approved_loan.refresh_from_db()
    assert approved_loan.state == Decision.State.BOOKED
    assert approved_loan.application.contract_no == "ZZ2026H000123"
    assert messages_of(member, "贷款申请")[-1] == (
        f"您的贷款申请(业务流水号{approved_loan.serial_no})已由业务系统受理,借款合同编号【ZZ2026H000123】,"
        "请到服务大厅签订合同、办理抵押登记。"
    )


def test_timeout_fails_what_the_core_did_not_book_restores_the_balance_and_is_idempotent(
    approved, approved_loan, member, account, clock, settings, django_capture_on_commit_callbacks
):
    settings.TASKS_DECISION_BOOKING_DAYS = 5
    clock.advance(days=4, hours=23)
    assert jobs.decisions_expire() == 0  # not yet
    clock.advance(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.decisions_expire() == 2
        assert jobs.decisions_expire() == 0
    approved.refresh_from_db()
    assert (approved.state, approved.failure_reason) == (Decision.State.FAILED, "业务系统5日内未入账")
    assert approved.settled_at == timezone.now()
    assert not LedgerEntry.objects.filter(pending=True).exists()
    assert reconciles(account) and account.balance == Decimal("24000.00")
    assert len(messages_of(member, "提取入账")) == 1 and "业务系统5日内未入账" in messages_of(member, "提取入账")[0]
    assert messages_of(member, "贷款申请")[-1] == (
        f"您的贷款申请(业务流水号{approved_loan.serial_no})未能入账,原因:业务系统5日内未入账。"
        "如有疑问请咨询服务大厅或拨打12329。"
    )


def test_timeout_leaves_booked_and_failed_decisions_alone(approved, account, clock):
    decisions_settle(booked=[approved.serial_no], refused={})
    LedgerEntry.objects.filter(serial_no=approved.serial_no).update(pending=False)
    clock.advance(days=30)
    assert decisions_expire() == 0
    approved.refresh_from_db()
    assert approved.state == Decision.State.BOOKED
    assert reconciles(account) and account.balance == Decimal("21000.00")


def test_the_core_booking_after_the_timeout_wins(approved, member, clock):
    # The portal gave up; the core books it later: its books are the truth.
    clock.advance(days=6)
    decisions_expire()
    assert decisions_settle(booked=[approved.serial_no], refused={}).booked == [approved.serial_no]
    approved.refresh_from_db()
    assert (approved.state, approved.failure_reason) == (Decision.State.BOOKED, "")


def test_the_timeout_job_is_scheduled_and_registered(settings):
    from zzgjj_portal.celery import app

    assert settings.CELERY_BEAT_SCHEDULE["decisions-expire"]["task"] == jobs.decisions_expire.name
    assert jobs.decisions_expire.name in app.tasks
