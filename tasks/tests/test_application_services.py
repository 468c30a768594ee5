"""Applications through their services: submission rules, double submission,
the guarded workflow (roles, four eyes, current step), and the decision an
approval sends to the core system (待入账 entry, outbox row)."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.tests.factories import StaffUserFactory
from inquiry import selectors as records
from inquiry.demo import make_id_number
from inquiry.models import AccountStatus, LedgerEntry, LoanContract, WithdrawalReason
from inquiry.tests.factories import FundAccountFactory, LoanContractFactory
from tasks.models import Application, ApplicationStep, Decision, Message
from tasks.selectors import applications as selectors
from tasks.services import applications as services
from tasks.tests.conftest import BANK_ACCOUNT as BANK
from tasks.tests.conftest import book, deposit_months, reconciles, staff_in
from tasks.tests.factories import CompletedApplicationFactory, DecisionFactory
from zzgjj_portal.models import AuditEvent

pytestmark = pytest.mark.django_db
RENT = Application.WithdrawalKind.RENT


def submit_rent(member, amount="3000.00", token=None):
    return services.withdrawal_submit(
        member=member, withdrawal_kind=RENT, amount=Decimal(amount), form_token=token or uuid.uuid4()
    )


def submit_loan(member, **overrides):
    args = {
        "member": member,
        "amount": Decimal("300000.00"),
        "term_years": 15,
        "repayment_method": "equal_installment",
        "property_address": "枣庄市市中区光明路1号",
        "property_price": Decimal("500000.00"),
        "form_token": uuid.uuid4(),
    }
    return services.loan_submit(**{**args, **overrides})


def run_through(application, clerk, reviewer, approver, *, opinion="同意"):
    for step, actor in (("accept", clerk), ("review", reviewer), ("approve", approver)):
        application = services.application_step_approve(
            application_id=application.pk, step=step, actor=actor, opinion=opinion
        )
    return application


def refused(code, func, **kwargs):
    with pytest.raises(services.ApplicationRefused) as info:
        func(**kwargs)
    assert info.value.code == code, info.value.message
    return info.value


# Submission ---------------------------------------------------------------


def test_withdrawal_submit_creates_the_application_at_accept_with_four_steps(
    member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = submit_rent(member)
    application = result.application
    assert result.created
    assert (application.kind, application.status, application.current_step) == ("withdrawal", "in_progress", "accept")
    assert application.bank_account_no == "6217000101000000001"
    steps = selectors.application_steps(application=application)
    assert [(s.step, s.state) for s in steps] == [
        ("accept", "current"),
        ("review", "pending"),
        ("approve", "pending"),
        ("complete", "pending"),
    ]
    message = Message.objects.get(member=member)
    assert message.business == "提取申请" and "租房提取已提交" in message.content
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.APPLICATION_SUBMITTED, member=member).count() == 1


def test_withdrawal_submit_twice_with_one_form_token_creates_one_application(member):
    token = uuid.uuid4()
    first = submit_rent(member, token=token)
    second = submit_rent(member, token=token)
    assert first.created and not second.created
    assert second.application.pk == first.application.pk
    assert Application.objects.filter(member=member).count() == 1


def test_form_token_unique_constraint_holds_in_the_database(member):
    application = submit_rent(member).application
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            member=member,
            kind="loan",
            amount=Decimal("1"),
            submitted_at=timezone.now(),
            current_step="accept",
            form_token=application.form_token,
        )


def test_one_open_application_of_a_type_is_a_database_constraint(member):
    submit_rent(member)
    refusal = refused("already_open", submit_rent, member=member)
    assert refusal.message == "您已有一笔办理中的租房提取,请等待办结后再申请"
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            member=member,
            kind="withdrawal",
            withdrawal_kind=RENT,
            amount=Decimal("1"),
            submitted_at=timezone.now(),
            current_step="accept",
            form_token=uuid.uuid4(),
        )


def test_another_withdrawal_kind_may_be_open_at_the_same_time(member):
    LoanContractFactory(member=member, outstanding_principal=Decimal("10000.00"))
    submit_rent(member)
    result = services.withdrawal_submit(
        member=member, withdrawal_kind="loan_repayment", amount=Decimal("5000.00"), form_token=uuid.uuid4()
    )
    assert result.created


@pytest.mark.parametrize(
    ("status", "created"),
    [
        (LoanContract.Status.ACTIVE, True),
        (LoanContract.Status.OVERDUE, False),
        (LoanContract.Status.SETTLED, False),
        (LoanContract.Status.NOT_DISBURSED, False),
    ],
)
def test_loan_repayment_withdrawal_needs_a_normal_loan(member, status, created):
    LoanContractFactory(member=member, status=status, outstanding_principal=Decimal("10000.00"))
    submit = lambda: services.withdrawal_submit(  # noqa: E731
        member=member, withdrawal_kind="loan_repayment", amount=Decimal("5000.00"), form_token=uuid.uuid4()
    )
    if created:
        assert submit().created
    else:
        refusal = refused("no_active_loan", submit)
        assert refusal.message == "您没有状态为正常的住房公积金贷款,不能办理偿还住房贷款提取"


def test_rent_withdrawal_counts_the_years_earlier_rent_withdrawals(member, account):
    book(account, LedgerEntry.Kind.WITHDRAWAL, Decimal("-10000.00"), withdrawal_reason=WithdrawalReason.RENT)
    refusal = refused("rent_over_limit", submit_rent, member=member, amount="2000.01")
    assert "本次最多可提取2,000.00元" in refusal.message
    assert submit_rent(member, amount="2000.00").created


def test_rent_limit_does_not_count_last_years_rent_withdrawals(member, account):
    last_year_end = date(timezone.localdate().year - 1, 12, 31)
    book(
        account,
        LedgerEntry.Kind.WITHDRAWAL,
        Decimal("-10000.00"),
        withdrawal_reason=WithdrawalReason.RENT,
        booked_on=last_year_end,
    )
    assert submit_rent(member, amount="12000.00").created


def test_rent_limit_does_not_count_withdrawals_of_other_kinds(member, account):
    # The rule matches the reason's code, whatever words the summary uses.
    book(
        account,
        LedgerEntry.Kind.WITHDRAWAL,
        Decimal("-5000.00"),
        withdrawal_reason=WithdrawalReason.LOAN_REPAYMENT,
        summary="租房",
    )
    book(account, LedgerEntry.Kind.WITHDRAWAL, Decimal("-3000.00"), withdrawal_reason=WithdrawalReason.PURCHASE)
    book(account, LedgerEntry.Kind.TRANSFER_OUT, Decimal("-1000.00"))
    assert submit_rent(member, amount="12000.00").created


@pytest.mark.parametrize("amount", ["0", "-100.00"])
def test_submissions_with_an_amount_not_positive_are_refusals_not_integrity_errors(member, amount):
    # The amount check constraint backs these up; the member must get the rule's message, not a 500.
    assert refused("amount_not_positive", submit_rent, member=member, amount=amount).message == "提取金额须大于0"
    assert refused("amount_not_positive", submit_loan, member=member, amount=Decimal(amount)).message
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("status", "code"),
    [(AccountStatus.SEALED, "account_sealed"), (AccountStatus.FROZEN, "account_frozen"), ("05", "account_closed")],
)
def test_withdrawal_refused_for_an_account_that_is_not_normal(member, account, status, code):
    account.status = status
    account.save()
    refused(code, submit_rent, member=member)
    assert not Application.objects.exists()


def test_withdrawal_refused_without_a_bank_account_on_file(member, account):
    account.bank_account_no = ""
    account.save()
    refused("no_bank_account", submit_rent, member=member)


# The workflow -------------------------------------------------------------


def test_approved_withdrawal_is_one_pending_entry_and_one_decision_and_the_balance_reconciles(
    member, account, clerk, reviewer, approver, django_capture_on_commit_callbacks
):
    application = submit_rent(member, amount="3000.00").application
    with django_capture_on_commit_callbacks(execute=True):
        application = run_through(application, clerk, reviewer, approver)
    assert application.status == "completed" and application.current_step == ""
    # Exactly one 待入账 entry, under the portal's serial, and one decision with the same serial.
    entry = LedgerEntry.objects.get(account=account, kind=LedgerEntry.Kind.WITHDRAWAL)
    assert entry.pending
    assert entry.amount == Decimal("-3000.00")
    assert entry.withdrawal_reason == WithdrawalReason.RENT == "07"
    assert entry.balance_after == Decimal("21000.00")
    assert reconciles(account) and account.balance == Decimal("21000.00")
    decision = Decision.objects.get()
    today = timezone.localdate()
    assert (
        decision.serial_no
        == entry.serial_no
        == application.ledger_serial_no
        == f"WT{today:%Y%m%d}{application.pk:010d}"
    )
    assert (decision.kind, decision.account_no, decision.amount) == (
        "withdrawal",
        account.account_no,
        Decimal("3000.00"),
    )
    assert (decision.bank_account_no, decision.withdrawal_reason, decision.close_account) == (BANK, "07", False)
    assert (decision.state, decision.acked_at, decision.settled_at) == ("pending", None, None)
    assert decision.application == application
    steps = selectors.application_steps(application=application)
    assert [(s.step, s.state, s.approver_name) for s in steps] == [
        ("accept", "done", "张受理"),
        ("review", "done", "李审核"),
        ("approve", "done", "王审批"),
        ("complete", "done", "系统"),
    ]
    # The member sees it in 缴存支取信息 (待入账) and was told at every step.
    assert entry in records.ledger_entries(member=member, start=None, end=None).entries
    assert Message.objects.filter(member=member, business="提取申请").count() == 3
    latest = Message.objects.filter(member=member).order_by("-id").first().content
    assert latest == (
        f"您的租房提取已审批通过,3,000.00元待业务系统入账,入账后转入您的银行账户6217 **** **** 0001,"
        f"业务流水号{decision.serial_no}。"
    )
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.APPLICATION_APPROVED).count() == 3


def test_a_second_withdrawal_cannot_overdraw_what_is_pending(member, account, clerk, reviewer, approver):
    first = submit_rent(member, amount="12000.00").application
    run_through(first, clerk, reviewer, approver)
    # The core has not booked the first: its 待入账 entry already counts against the balance.
    account.refresh_from_db()
    assert account.balance == Decimal("12000.00")
    LoanContractFactory(member=member, outstanding_principal=Decimal("100000.00"))
    refusal = refused(
        "over_balance",
        services.withdrawal_submit,
        member=member,
        withdrawal_kind="loan_repayment",
        amount=Decimal("12000.01"),
        form_token=uuid.uuid4(),
    )
    assert "12,000.00" in refusal.message
    # Applied for within the balance, then the balance shrank before 审批: refused at approval.
    second = services.withdrawal_submit(
        member=member, withdrawal_kind="loan_repayment", amount=Decimal("8000.00"), form_token=uuid.uuid4()
    ).application
    book(account, LedgerEntry.Kind.TRANSFER_OUT, Decimal("-5000.00"))
    services.application_step_approve(application_id=second.pk, step="accept", actor=clerk)
    services.application_step_approve(application_id=second.pk, step="review", actor=reviewer)
    refused(
        "insufficient_balance",
        services.application_step_approve,
        application_id=second.pk,
        step="approve",
        actor=approver,
    )
    assert LedgerEntry.objects.filter(pending=True).count() == Decision.objects.count() == 1
    assert reconciles(account) and account.balance == Decimal("7000.00")


def test_each_step_moves_the_current_step_and_messages_the_member(member, clerk, django_capture_on_commit_callbacks):
    application = submit_rent(member).application
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_step_approve(
            application_id=application.pk, step="accept", actor=clerk, opinion="材料齐全"
        )
    assert application.current_step == "review"
    step = application.steps.get(step="accept")
    assert (step.approver, step.opinion, step.state) == (clerk, "材料齐全", "done") and step.handled_at
    assert application.steps.get(step="review").state == "current"
    latest = Message.objects.filter(member=member).order_by("-id").first()
    assert latest.content == "您的租房提取已通过受理环节,进入审核环节。审批意见:材料齐全"


def test_reject_needs_an_opinion_and_ends_the_application(member, clerk, reviewer):
    application = submit_rent(member).application
    services.application_step_approve(application_id=application.pk, step="accept", actor=clerk)
    refused(
        "opinion_required",
        services.application_step_reject,
        application_id=application.pk,
        step="review",
        actor=reviewer,
        opinion="  ",
    )
    application = services.application_step_reject(
        application_id=application.pk, step="review", actor=reviewer, opinion="租房合同未备案"
    )
    assert (application.status, application.current_step) == ("rejected", "")
    assert application.steps.get(step="review").state == "rejected"
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.WITHDRAWAL).exists()
    # Once rejected a new one of the type may be made.
    assert submit_rent(member).created


def test_staff_without_the_steps_role_cannot_act(member, reviewer, approver):
    application = submit_rent(member).application
    for actor in (reviewer, approver, staff_in(None, username="norole")):
        refused("no_role", services.application_step_approve, application_id=application.pk, step="accept", actor=actor)
    application.refresh_from_db()
    assert application.current_step == "accept"
    assert not application.steps.filter(approver__isnull=False).exists()


def test_four_eyes_one_person_never_acts_on_two_steps_even_a_superuser(member):
    boss = StaffUserFactory(username="boss")  # a superuser: every role
    application = submit_rent(member).application
    services.application_step_approve(application_id=application.pk, step="accept", actor=boss)
    refusal = refused(
        "four_eyes", services.application_step_approve, application_id=application.pk, step="review", actor=boss
    )
    assert refusal.message == services.FOUR_EYES
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationStep.objects.filter(application=application, step="review").update(approver=boss)


def test_acting_on_a_step_that_is_not_current_or_already_done_is_refused(member, clerk, reviewer):
    application = submit_rent(member).application
    refused(
        "not_current", services.application_step_approve, application_id=application.pk, step="review", actor=reviewer
    )
    services.application_step_approve(application_id=application.pk, step="accept", actor=clerk)
    # A second clerk on a stale page: the step was just handled.
    refused(
        "not_current",
        services.application_step_approve,
        application_id=application.pk,
        step="accept",
        actor=staff_in("受理员", username="clerk2"),
    )
    assert application.steps.filter(approver__isnull=False).count() == 1


def test_acting_on_a_closed_application_is_refused(member, clerk):
    application = submit_rent(member).application
    services.application_withdraw(member=member, pk=application.pk)
    refused("closed", services.application_step_approve, application_id=application.pk, step="accept", actor=clerk)


def test_booking_refused_rolls_the_approval_back(member, account, clerk, reviewer, approver):
    application = submit_rent(member, amount="3000.00").application
    services.application_step_approve(application_id=application.pk, step="accept", actor=clerk)
    services.application_step_approve(application_id=application.pk, step="review", actor=reviewer)
    book(account, LedgerEntry.Kind.TRANSFER_OUT, Decimal("-22000.00"))  # only 2,000.00 left
    refusal = refused(
        "insufficient_balance",
        services.application_step_approve,
        application_id=application.pk,
        step="approve",
        actor=approver,
    )
    assert "账户余额不足" in refusal.message
    application.refresh_from_db()
    assert (application.status, application.current_step) == ("in_progress", "approve")
    assert not application.steps.filter(step="approve", approver__isnull=False).exists()
    assert reconciles(account) and account.balance == Decimal("2000.00")


def test_retirement_withdrawal_takes_the_whole_balance_and_asks_the_core_to_close_the_account(
    clerk, reviewer, approver
):
    account = FundAccountFactory(member__id_number=make_id_number("370402", date(1960, 3, 1), 321))
    member = account.member
    account.bank_account_no = "6217000101000000009"
    account.save()
    deposit_months(account, 3)
    result = services.withdrawal_submit(
        member=member, withdrawal_kind="retirement", amount=None, form_token=uuid.uuid4()
    )
    assert result.application.amount == Decimal("6000.00")
    deposit_months_after = book(account, LedgerEntry.Kind.INTEREST, Decimal("12.34"))
    assert deposit_months_after.amount == Decimal("12.34")
    application = run_through(result.application, clerk, reviewer, approver)
    account.refresh_from_db()
    assert application.amount == Decimal("6012.34")  # the whole balance when approved
    # Paid out to zero, 待入账; closing the account is the core's (its GRZHZT comes back).
    assert account.balance == Decimal("0.00") and account.status == AccountStatus.NORMAL
    decision = Decision.objects.get()
    assert (decision.amount, decision.withdrawal_reason, decision.close_account) == (Decimal("6012.34"), "03", True)
    assert reconciles(account)


@pytest.fixture
def retiree():
    """A member of 66 with 6,000.00 and a bank account on file."""
    account = FundAccountFactory(
        member__id_number=make_id_number("370402", date(1960, 3, 1), 322), bank_account_no="6217000101000000008"
    )
    deposit_months(account, 3)
    return account.member


@pytest.mark.parametrize(
    "status", [LoanContract.Status.ACTIVE, LoanContract.Status.OVERDUE, LoanContract.Status.NOT_DISBURSED]
)
def test_retirement_withdrawal_refused_while_a_loan_is_not_settled(retiree, status):
    # 离退休提取 closes the account (销户): never while a loan is running or about to be.
    LoanContractFactory(member=retiree, contract_no="ZZ2020000777", status=status)
    refusal = refused(
        "closing_with_loan",
        services.withdrawal_submit,
        member=retiree,
        withdrawal_kind="retirement",
        amount=None,
        form_token=uuid.uuid4(),
    )
    assert "ZZ2020000777" in refusal.message
    assert not Application.objects.exists()


def test_retirement_withdrawal_allowed_once_the_loan_is_settled(retiree):
    LoanContractFactory(member=retiree, status=LoanContract.Status.SETTLED, outstanding_principal=Decimal("0"))
    result = services.withdrawal_submit(
        member=retiree, withdrawal_kind="retirement", amount=None, form_token=uuid.uuid4()
    )
    assert result.created


def test_retirement_approval_refused_when_a_loan_appeared_after_applying(retiree, clerk, reviewer, approver):
    application = services.withdrawal_submit(
        member=retiree, withdrawal_kind="retirement", amount=None, form_token=uuid.uuid4()
    ).application
    services.application_step_approve(application_id=application.pk, step="accept", actor=clerk)
    services.application_step_approve(application_id=application.pk, step="review", actor=reviewer)
    LoanContractFactory(member=retiree, contract_no="ZZ2026W0000009", status=LoanContract.Status.NOT_DISBURSED)
    refusal = refused(
        "closing_with_loan",
        services.application_step_approve,
        application_id=application.pk,
        step="approve",
        actor=approver,
    )
    assert "ZZ2026W0000009" in refusal.message
    account = retiree.fund_account
    account.refresh_from_db()
    assert account.status == AccountStatus.NORMAL and account.balance == Decimal("6000.00")


def test_retirement_refused_while_a_loan_approved_online_waits_for_its_contract(retiree, clerk, reviewer, approver):
    retirement = services.withdrawal_submit(
        member=retiree, withdrawal_kind="retirement", amount=None, form_token=uuid.uuid4()
    ).application
    services.application_step_approve(application_id=retirement.pk, step="accept", actor=clerk)
    services.application_step_approve(application_id=retirement.pk, step="review", actor=reviewer)
    loan = CompletedApplicationFactory(member=retiree, kind="loan", withdrawal_kind="", amount=Decimal("100000.00"))
    DecisionFactory(application=loan, kind="loan", serial_no="WT202601010000000042")
    refusal = refused(
        "closing_with_loan",
        services.application_step_approve,
        application_id=retirement.pk,
        step="approve",
        actor=approver,
    )
    assert "WT202601010000000042" in refusal.message
    assert not LedgerEntry.objects.filter(pending=True).exists()
    assert selectors.unsettled_loan_no(member=retiree) == "待生成,申请业务流水号WT202601010000000042"


def test_member_may_withdraw_only_before_staff_acted(member, clerk, django_capture_on_commit_callbacks):
    first = submit_rent(member).application
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = services.application_withdraw(member=member, pk=first.pk)
    assert (withdrawn.status, withdrawn.current_step) == ("withdrawn", "")
    assert withdrawn.steps.get(step="accept").state == "cancelled"
    assert Message.objects.filter(member=member, content="您的租房提取已撤回。").exists()
    second = submit_rent(member).application
    services.application_step_approve(application_id=second.pk, step="accept", actor=clerk)
    refused("cannot_withdraw", services.application_withdraw, member=member, pk=second.pk)
    refused("cannot_withdraw", services.application_withdraw, member=member, pk=first.pk)


# Loans --------------------------------------------------------------------


def test_loan_submit_uses_the_first_home_rate_and_checks_eligibility(member):
    application = submit_loan(member, term_years=5).application
    assert application.annual_rate == Decimal("0.021")
    assert application.withdrawal_kind == ""
    refused("already_open", submit_loan, member=member)


def test_loan_refused_with_a_running_loan_or_two_loans_ever(member):
    LoanContractFactory(member=member, status=LoanContract.Status.SETTLED, outstanding_principal=Decimal("0"))
    LoanContractFactory(member=member, status=LoanContract.Status.SETTLED, outstanding_principal=Decimal("0"))
    refused("too_many_loans", submit_loan, member=member)


def test_loan_refused_without_six_months_of_deposits(member_user):
    member = member_user.member
    deposit_months(member.fund_account, 5)
    refused("deposits_missing", submit_loan, member=member)


def test_approved_loan_is_a_decision_with_its_terms_and_no_contract(
    member, account, clerk, reviewer, approver, django_capture_on_commit_callbacks
):
    application = submit_loan(member, term_years=20 - 5, repayment_method="equal_principal").application
    with django_capture_on_commit_callbacks(execute=True):
        application = run_through(application, clerk, reviewer, approver)
    assert (application.status, application.contract_no) == ("completed", "")
    # The contract is the core's: it comes in its 借款合同 file naming this serial.
    assert not LoanContract.objects.exists()
    decision = Decision.objects.get()
    assert (decision.kind, decision.account_no, decision.amount) == ("loan", account.account_no, Decimal("300000.00"))
    assert (decision.term_months, decision.annual_rate, decision.repayment_method) == (
        180,
        Decimal("0.026"),
        "equal_principal",
    )
    assert decision.serial_no == f"WT{timezone.localdate():%Y%m%d}{application.pk:010d}"
    assert (decision.bank_account_no, decision.withdrawal_reason, decision.close_account) == ("", "", False)
    assert not LedgerEntry.objects.filter(pending=True).exists()
    latest = Message.objects.filter(member=member).order_by("-id").first().content
    assert (
        latest == f"您的贷款申请已审批通过,贷款金额300,000.00元待业务系统生成借款合同,业务流水号{decision.serial_no}。"
    )


def test_a_loan_approved_online_counts_as_a_loan_until_its_contract_comes(member, clerk, reviewer, approver):
    run_through(submit_loan(member).application, clerk, reviewer, approver)
    # No contract yet, and still one loan at a time.
    refused("loan_unsettled", submit_loan, member=member)
    facts = selectors.loan_member_facts(member=member)
    assert (facts.loans_ever, facts.has_unsettled_loan) == (1, True)
    # Once the core refused it, the member may apply again.
    Decision.objects.update(state="failed", settled_at=timezone.now(), failure_reason="x")
    assert submit_loan(member).created


def test_approval_refused_when_the_account_was_frozen_after_applying(member, account, clerk, reviewer, approver):
    application = submit_rent(member).application
    services.application_step_approve(application_id=application.pk, step="accept", actor=clerk)
    services.application_step_approve(application_id=application.pk, step="review", actor=reviewer)
    account.status = AccountStatus.FROZEN
    account.save()
    refusal = refused(
        "account_not_normal",
        services.application_step_approve,
        application_id=application.pk,
        step="approve",
        actor=approver,
    )
    assert refusal.message == "个人账户状态为冻结,不能办理提取"
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.WITHDRAWAL).exists()


def test_staff_display_name_never_shows_the_login_name():
    from accounts.models import User
    from tasks.services.applications import STAFF_NAME_UNKNOWN, staff_display_name

    assert staff_display_name(User(username="clerk7", name="孙柜员")) == "孙柜员"
    assert staff_display_name(User(username="clerk7")) == STAFF_NAME_UNKNOWN
