"""Writes of online applications: members submit and withdraw, hall staff act
on the workflow's steps; an approved 审批 sends the decision to the core
system (services.decisions: the outbox, and a withdrawal's 待入账 entry).

Every write here is one transaction. Steps are guarded transitions: the
application row is locked (select_for_update) before its state is read, so
two staff members acting on the same step at once are served one after the
other and the second is refused, never applied twice. Messages to the member
go out through the outbox, written in the same transaction (message_send_on_commit).
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from inquiry import services as records
from inquiry.models import FundAccount, Member
from tasks import eligibility
from tasks.models.applications import STEP_ORDER, STEP_PERMISSIONS, WITHDRAWAL_REASONS, Application, ApplicationStep
from tasks.selectors.applications import (
    account_facts,
    active_loan_outstanding,
    application_get_for_member,
    loan_limits,
    loan_member_facts,
    loan_rate,
    rent_withdrawn_in,
    unsettled_loan_no,
    withdrawal_limits,
)
from tasks.selectors.decisions import pending_loan_serial
from tasks.services.decisions import decision_record, decision_serial_no
from tasks.services.messages import message_send_on_commit
from zzgjj_portal.audit import audit_record
from zzgjj_portal.masking import mask_bank_account
from zzgjj_portal.metrics import application_step_entered
from zzgjj_portal.models import AuditEvent
from zzgjj_portal.money import format_money
from zzgjj_portal.refusal import Refusal

BUSINESS = {Application.Kind.WITHDRAWAL: "提取申请", Application.Kind.LOAN: "贷款申请"}
SYSTEM_NAME = "系统"

# Messages to the member (消息).
SUBMITTED_TEXT = "您的{title}已提交,申请金额{amount}元,等待受理。可在【我发起的】查看办理进度。"
STEP_APPROVED_TEXT = "您的{title}已通过{step}环节,进入{next}环节。审批意见:{opinion}"
WITHDRAWAL_DONE_TEXT = (
    "您的{title}已审批通过,{amount}元待业务系统入账,入账后转入您的银行账户{bank},业务流水号{serial}。"
)
LOAN_DONE_TEXT = "您的贷款申请已审批通过,贷款金额{amount}元待业务系统生成借款合同,业务流水号{serial}。"
REJECTED_TEXT = "您的{title}在{step}环节未通过。审批意见:{opinion}"
WITHDRAWN_TEXT = "您的{title}已撤回。"
NO_OPINION = "同意"
CLOSING_WITH_LOAN_PENDING = "该职工的贷款申请(业务流水号{serial})已审批通过、待业务系统生成借款合同,不能销户"

# Refusals.
ALREADY_OPEN = "您已有一笔办理中的{title},请等待办结后再申请"
CANNOT_WITHDRAW = "工作人员已开始办理该申请,不能撤回"
ALREADY_CLOSED = "该申请已{status},不能再办理"
NOT_CURRENT = "【{step}】不是该申请的当前环节(可能刚由他人办理),请刷新后查看"
NO_ROLE = "您没有【{step}】环节的办理权限"
FOUR_EYES = "您已办理过该申请的其他环节,同一申请的各环节须由不同工作人员办理"
OPINION_REQUIRED = "不通过时须填写审批意见"
# Members read the handler's 姓名 as 审批人: a step is never signed by nobody.
STAFF_NAME_REQUIRED = "您的账号尚未填写姓名(缴存职工看到的审批人就是姓名),请管理员在【登录用户】中填写后再办理"


class ApplicationRefused(Refusal):
    """A refused submission or step; `message` is shown as is, `code` names the rule."""


@dataclass(frozen=True)
class Submitted:
    """A submission's result: `created` is False when the same form had
    already been submitted and this is the application it made."""

    application: Application
    created: bool


def _create(*, member: Member, form_token: uuid.UUID, title: str, **fields) -> Submitted:
    """Insert the application and its four steps. The two unique constraints
    decide, not a check-then-insert: the same form token again returns the
    application it made; another open one of the type is refused."""
    now = timezone.now()
    try:
        with transaction.atomic():
            application = Application.objects.create(
                member=member,
                form_token=form_token,
                submitted_at=now,
                current_step=Application.Step.ACCEPT,
                **fields,
            )
    except IntegrityError:
        existing = Application.objects.filter(member=member, form_token=form_token).first()
        if existing is not None:
            return Submitted(existing, False)
        raise ApplicationRefused(ALREADY_OPEN.format(title=title), code="already_open") from None
    ApplicationStep.objects.bulk_create(
        ApplicationStep(
            application=application,
            order=order,
            step=step,
            state=ApplicationStep.State.CURRENT if order == 1 else ApplicationStep.State.PENDING,
        )
        for order, step in enumerate(STEP_ORDER, start=1)
    )
    application_step_entered(kind=application.kind, step=Application.Step.ACCEPT)
    return Submitted(application, True)


def _member_user(request: HttpRequest | None):
    """The member's login identity behind a request, for the audit trail (None in tests and scripts)."""
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _after_submit(application: Application, request: HttpRequest | None) -> None:
    audit_record(
        kind=AuditEvent.Kind.APPLICATION_SUBMITTED,
        request=request,
        member=application.member,
        actor=_member_user(request),
        detail=f"{application.title} 申请编号{application.pk} 金额{format_money(application.amount)}元",
    )
    content = SUBMITTED_TEXT.format(title=application.title, amount=format_money(application.amount))
    _message_on_commit(application, content)


def _message_on_commit(application: Application, content: str) -> None:
    message_send_on_commit(member=application.member, business=BUSINESS[application.kind], content=content)


@transaction.atomic
def withdrawal_submit(
    *,
    member: Member,
    withdrawal_kind: str,
    amount: Decimal | None,
    form_token: uuid.UUID,
    request: HttpRequest | None = None,
) -> Submitted:
    """提取申请: check the center's rules (eligibility.withdrawal_refusal) and
    create the application at 受理, paid to the bank account on file.

    `amount` may be None for 离退休提取 (the whole balance). The same
    `form_token` submitted again returns the first application. Raises
    ApplicationRefused with the rule's message.
    """
    existing = Application.objects.filter(member=member, form_token=form_token).first()
    if existing is not None:
        return Submitted(existing, False)
    account = FundAccount.objects.filter(member=member).first()
    if amount is None and withdrawal_kind == Application.WithdrawalKind.RETIREMENT and account is not None:
        amount = account.balance
    today = timezone.localdate()
    refusal = eligibility.withdrawal_refusal(
        kind=withdrawal_kind,
        amount=amount if amount is not None else Decimal("0"),
        account=account_facts(account),
        id_number=member.id_number,
        today=today,
        rent_withdrawn_this_year=rent_withdrawn_in(account=account, year=today.year) if account else Decimal("0.00"),
        active_loan_outstanding=active_loan_outstanding(member=member),
        unsettled_loan_no=unsettled_loan_no(member=member),
        limits=withdrawal_limits(),
    )
    if refusal:
        raise ApplicationRefused(refusal.message, code=refusal.code)
    title = Application.WithdrawalKind(withdrawal_kind).label
    result = _create(
        member=member,
        form_token=form_token,
        title=title,
        kind=Application.Kind.WITHDRAWAL,
        withdrawal_kind=withdrawal_kind,
        amount=amount,
        bank_account_no=account.bank_account_no,
    )
    if result.created:
        _after_submit(result.application, request)
    return result


@transaction.atomic
def loan_submit(
    *,
    member: Member,
    amount: Decimal,
    term_years: int,
    repayment_method: str,
    property_address: str,
    property_price: Decimal,
    co_borrower_name: str = "",
    co_borrower_id_number: str = "",
    form_token: uuid.UUID,
    request: HttpRequest | None = None,
) -> Submitted:
    """贷款申请: check eligibility (eligibility.loan_refusal) and create the
    application at 受理 with the first-home rate in force today. The same
    `form_token` again returns the first application; raises ApplicationRefused."""
    existing = Application.objects.filter(member=member, form_token=form_token).first()
    if existing is not None:
        return Submitted(existing, False)
    facts = loan_member_facts(member=member)
    refusal = eligibility.loan_refusal(
        amount=amount,
        term_years=term_years,
        property_price=property_price,
        account=facts.account,
        id_number=member.id_number,
        paid_periods=facts.paid_periods,
        loans_ever=facts.loans_ever,
        has_unsettled_loan=facts.has_unsettled_loan,
        today=timezone.localdate(),
        limits=loan_limits(),
    )
    if refusal:
        raise ApplicationRefused(refusal.message, code=refusal.code)
    result = _create(
        member=member,
        form_token=form_token,
        title="贷款申请",
        kind=Application.Kind.LOAN,
        amount=amount,
        term_years=term_years,
        repayment_method=repayment_method,
        annual_rate=loan_rate(term_years),
        property_address=property_address,
        property_price=property_price,
        co_borrower_name=co_borrower_name,
        co_borrower_id_number=co_borrower_id_number,
    )
    if result.created:
        _after_submit(result.application, request)
    return result


@transaction.atomic
def application_withdraw(*, member: Member, pk: int, request: HttpRequest | None = None) -> Application:
    """撤回: the member's own open application that no staff member has acted
    on yet (others are a 404 at the gate). Raises ApplicationRefused otherwise."""
    application_get_for_member(member=member, pk=pk)
    application = Application.objects.select_for_update().get(pk=pk)
    if not application.can_be_withdrawn(application.steps.all()):
        raise ApplicationRefused(CANNOT_WITHDRAW, code="cannot_withdraw")
    now = timezone.now()
    application.status = Application.Status.WITHDRAWN
    application.current_step = ""
    application.closed_at = now
    application.save(update_fields=["status", "current_step", "closed_at"])
    application_step_entered(kind=application.kind, step=application.status)
    application.steps.filter(state=ApplicationStep.State.CURRENT).update(
        state=ApplicationStep.State.CANCELLED, handled_at=now
    )
    audit_record(
        kind=AuditEvent.Kind.APPLICATION_WITHDRAWN,
        request=request,
        member=member,
        actor=_member_user(request),
        detail=f"{application.title} 申请编号{application.pk}",
    )
    _message_on_commit(application, WITHDRAWN_TEXT.format(title=application.title))
    return application


STAFF_NAME_UNKNOWN = "服务大厅工作人员"


def staff_has_name(user) -> bool:
    """Whether a staff member's 姓名 is filled in (needed to handle a step)."""
    return bool((user.get_full_name() or "").strip())


def staff_display_name(user) -> str:
    """The name members see for a staff member (User.name). Never the login
    name: that is half of a staff credential."""
    return user.get_full_name() or STAFF_NAME_UNKNOWN


def application_step_approve(
    *, application_id: int, step: str, actor, opinion: str = "", request: HttpRequest | None = None
) -> Application:
    """Approve the application's current `step` (staff with the step's role,
    who handled no other step of it). Approving 审批 completes the application
    and sends its decision to the core system: a withdrawal 待入账 (counted
    against the balance at once), a loan's terms for the core to make its
    contract. Raises ApplicationRefused."""
    return _step_act(
        application_id=application_id, step=step, actor=actor, opinion=opinion, approve=True, request=request
    )


def application_step_reject(
    *, application_id: int, step: str, actor, opinion: str, request: HttpRequest | None = None
) -> Application:
    """Reject at the current `step` with a required opinion: the application
    ends 未通过. Same guards as approving. Raises ApplicationRefused."""
    return _step_act(
        application_id=application_id, step=step, actor=actor, opinion=opinion, approve=False, request=request
    )


@transaction.atomic
def _step_act(*, application_id: int, step: str, actor, opinion: str, approve: bool, request) -> Application:
    opinion = (opinion or "").strip()
    # The lock first: whatever is read below cannot change until we commit.
    application = Application.objects.select_for_update().select_related("member").get(pk=application_id)
    label = Application.Step(step).label if step in Application.Step.values else step
    if not application.is_open:
        raise ApplicationRefused(ALREADY_CLOSED.format(status=application.get_status_display()), code="closed")
    if application.current_step != step:
        raise ApplicationRefused(NOT_CURRENT.format(step=label), code="not_current")
    if not (actor.is_active and actor.is_staff and actor.has_perm(STEP_PERMISSIONS[step])):
        raise ApplicationRefused(NO_ROLE.format(step=label), code="no_role")
    if not staff_has_name(actor):
        raise ApplicationRefused(STAFF_NAME_REQUIRED, code="no_name")
    # Four eyes: superusers too (the step rows' unique constraint backs this up).
    if application.steps.filter(approver=actor).exists():
        raise ApplicationRefused(FOUR_EYES, code="four_eyes")
    if not approve and not opinion:
        raise ApplicationRefused(OPINION_REQUIRED, code="opinion_required")
    steps = {s.step: s for s in application.steps.all()}
    current = steps[step]
    now = timezone.now()
    current.approver = actor
    current.approver_name = staff_display_name(actor)
    current.opinion = opinion or NO_OPINION
    current.handled_at = now
    current.state = ApplicationStep.State.DONE if approve else ApplicationStep.State.REJECTED
    current.save()
    title = application.title
    if not approve:
        application.status = Application.Status.REJECTED
        application.current_step = ""
        application.closed_at = now
        content = REJECTED_TEXT.format(title=title, step=label, opinion=current.opinion)
    else:
        following = STEP_ORDER[STEP_ORDER.index(step) + 1]
        if following == Application.Step.COMPLETE:
            content = _complete(application, steps, now)
        else:
            nxt = steps[following]
            nxt.state = ApplicationStep.State.CURRENT
            nxt.save(update_fields=["state"])
            application.current_step = following
            content = STEP_APPROVED_TEXT.format(
                title=title, step=label, next=Application.Step(following).label, opinion=current.opinion
            )
    application.save()
    application_step_entered(kind=application.kind, step=application.current_step or application.status)
    audit_record(
        kind=AuditEvent.Kind.APPLICATION_APPROVED if approve else AuditEvent.Kind.APPLICATION_REJECTED,
        request=request,
        member=application.member,
        actor=actor,
        detail=f"{title} 申请编号{application.pk} {label}:{current.opinion}"[:300],
    )
    _message_on_commit(application, content)
    return application


def _complete(application: Application, steps: dict, now) -> str:
    """办结 after 审批: the decision goes to the core system (the outbox, and for
    a withdrawal its 待入账 ledger entry; a refusal there rolls the whole
    approval back), the application is closed (the workflow is done), and
    the member's message says it waits for the core to book it."""
    try:
        if application.kind == Application.Kind.WITHDRAWAL:
            content = _decide_withdrawal(application)
        else:
            content = _decide_loan(application)
    except records.BookingRefused as exc:
        raise ApplicationRefused(exc.message, code=exc.code) from exc
    done = steps[Application.Step.COMPLETE]
    done.state = ApplicationStep.State.DONE
    done.approver_name = SYSTEM_NAME
    done.opinion = "已办结"
    done.handled_at = now
    done.save()
    application.status = Application.Status.COMPLETED
    application.current_step = ""
    application.closed_at = now
    return content


def _decide_withdrawal(application: Application) -> str:
    """The 待入账 entry (inquiry) and the decision, one serial for both."""
    account = FundAccount.objects.get(member=application.member)
    retirement = application.withdrawal_kind == Application.WithdrawalKind.RETIREMENT
    if retirement:
        # 离退休提取 takes the whole balance as it is when approved (deposits
        # may have come in since applying), and asks the core to close the
        # account; a loan approved but without its contract yet blocks it too.
        loan_serial = pending_loan_serial(member=application.member)
        if loan_serial is not None:
            raise ApplicationRefused(CLOSING_WITH_LOAN_PENDING.format(serial=loan_serial), code="closing_with_loan")
        application.amount = FundAccount.objects.select_for_update().get(pk=account.pk).balance
    serial_no = decision_serial_no(application=application)
    reason = WITHDRAWAL_REASONS[application.withdrawal_kind]
    records.withdrawal_provisional_book(
        account=account,
        amount=application.amount,
        reason=reason,
        summary=f"网上{application.title}",
        serial_no=serial_no,
        close_account=retirement,
    )
    decision_record(
        application=application,
        account=account,
        serial_no=serial_no,
        withdrawal_reason=reason,
        close_account=retirement,
    )
    application.ledger_serial_no = serial_no
    return WITHDRAWAL_DONE_TEXT.format(
        title=application.title,
        amount=format_money(application.amount),
        bank=mask_bank_account(application.bank_account_no),
        serial=serial_no,
    )


def _decide_loan(application: Application) -> str:
    """The decision with the approved terms; the contract is the core's (its
    借款合同 file names this serial in SQYWLSH when it comes back)."""
    account = FundAccount.objects.get(member=application.member)
    serial_no = decision_serial_no(application=application)
    decision_record(application=application, account=account, serial_no=serial_no)
    return LOAN_DONE_TEXT.format(amount=format_money(application.amount), serial=serial_no)
