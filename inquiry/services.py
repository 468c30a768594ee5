"""Writes to the center's records that hall staff make.

Bookings (a withdrawal, a new loan contract, a disbursement) are made here so
that the records stay consistent whoever asks for them: the task area calls
these when an application is approved; this module never imports it.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from inquiry import amortization, versioning
from inquiry.models import (
    LOAN_STEPS_AFTER_APPROVAL,
    PHONE_TAKEN,
    AccountStatus,
    FundAccount,
    LedgerEntry,
    LoanContract,
    LoanProgressName,
    LoanProgressStep,
    LoanStatus,
    Member,
    validate_phone,
)
from inquiry.signals import loan_disbursed, member_phone_changed
from zzgjj_portal.audit import audit_record
from zzgjj_portal.masking import mask_id_number, mask_phone
from zzgjj_portal.models import AuditEvent
from zzgjj_portal.refusal import Refusal

# Staff with this permission see a member's full ID number, phone and bank
# account number on that member's (or their application's) page; everyone
# else sees them masked, and lists mask them for everyone.
FULL_IDENTITY_PERMISSION = "inquiry.view_full_identity"
FULL_IDENTITY_VIEWED = "查看{what} {id_number}"


def full_identity_allowed(user) -> bool:
    """Whether `user` may be shown full ID, phone and bank account numbers."""
    return user.has_perm(FULL_IDENTITY_PERMISSION)


def full_identity_view_record(*, member: Member, actor, what: str, request: HttpRequest | None = None) -> AuditEvent:
    """Record (安全审计, 查看完整身份信息) that `actor` was shown `member`'s full
    numbers; `what` says which page, e.g. 「完整身份证号和手机号码」. Call it
    for every page view that shows them: the trail is the only check on
    staff looking people up without a reason."""
    return audit_record(
        kind=AuditEvent.Kind.FULL_IDENTITY_VIEWED,
        request=request,
        member=member,
        actor=actor,
        detail=FULL_IDENTITY_VIEWED.format(what=what, id_number=mask_id_number(member.id_number)),
    )


def phone_taken_error(*, phone: str, member: Member | None = None) -> ValidationError | None:
    """The one rule that a reserved phone belongs to one member (it is a login
    name): the refusal naming the holder (ID number masked) when another
    member holds `phone`, else None. Forms call it to show the error on the
    field; member_phone_change calls it again under the row lock; the unique
    constraint is the database's last word with the same sentence."""
    if not phone:
        return None
    holders = Member.objects.filter(phone=phone)
    if member is not None and member.pk is not None:
        holders = holders.exclude(pk=member.pk)
    holder = holders.first()
    if holder is None:
        return None
    return ValidationError(
        PHONE_TAKEN.format(holder=f" {holder.name}(身份证号 {mask_id_number(holder.id_number)})"),
        code="phone_taken",
    )


@transaction.atomic
def member_phone_change(*, member: Member, phone: str, changed_by, request: HttpRequest | None = None) -> Member:
    """Register or change a member's reserved phone (staff only) and record who,
    when, and the old and new numbers, masked.

    Raises ValidationError when the number is not a mainland mobile or is
    already reserved by another member (it is a login name).
    """
    phone = (phone or "").strip()
    validate_phone(phone)
    locked = Member.objects.select_for_update().get(pk=member.pk)
    old = locked.phone
    if old == phone:
        return locked
    error = phone_taken_error(phone=phone, member=locked)
    if error is not None:
        raise error
    locked.phone = phone
    locked.save(update_fields=["phone"])
    audit_record(
        kind=AuditEvent.Kind.PHONE_CHANGED,
        request=request,
        member=locked,
        actor=changed_by,
        detail=f"{mask_phone(old) or '(无)'} → {mask_phone(phone) or '(无)'}",
    )
    # Sent inside the transaction: receivers record what they will do (the
    # task area's message, in its outbox) in it, so a rolled-back change tells
    # nobody anything and a committed one is never left untold by a crash.
    member_phone_changed.send(sender=Member, member=locked, old_phone=old, new_phone=phone)
    member.phone = phone
    return locked


@transaction.atomic
def member_create(
    *, name: str, id_number: str, phone: str = "", created_by, request: HttpRequest | None = None
) -> Member:
    """A new member typed in at the counter (staff): the record first, then
    its reserved phone through member_phone_change, so that registering the
    first phone is recorded like every later change. Raises ValidationError
    for a bad ID number or phone, or a phone another member holds."""
    member = Member(name=name.strip(), id_number=id_number)
    member.full_clean(exclude=["phone"])
    member.save()
    if phone:
        member_phone_change(member=member, phone=phone, changed_by=created_by, request=request)
    return member


BOOKING_ACCOUNT_NOT_NORMAL = "个人账户状态为{status},不能办理提取"
BOOKING_INSUFFICIENT = "账户余额不足,本次提取{amount}元,当前余额{balance}元"
BOOKING_AMOUNT_INVALID = "提取金额须大于0且最多两位小数"
BOOKING_CLOSING_WITH_LOAN = "该职工的住房公积金贷款(借款合同【{contract_no}】)尚未结清,不能销户"
DISBURSE_NOT_PENDING = "借款合同【{contract_no}】不是未发放状态,不能放款"
DISBURSE_DATE_MISSING = "请填写【{step}】的办理日期"
DISBURSE_STEP_NOT_PENDING = "【{step}】已办理或不是该合同的贷款进度环节,不能再登记"
DISBURSE_DATE_FUTURE = "【{step}】的办理日期{day}晚于今天"
DISBURSE_DATE_BEFORE_APPLIED = "【{step}】的办理日期{day}早于申请日期{applied}"
DISBURSE_DATE_ORDER = "【{step}】的办理日期{day}早于【{previous}】的办理日期{previous_day}"
DISBURSE_FOUR_EYES = "您办理过该贷款的【{step}】环节,放款须由其他工作人员办理"


class BookingRefused(Refusal):
    """A booking the records refuse; `message` is shown to staff as is."""


MEMBER_VERSION_BATCH = 1000


def member_versions_defer() -> None:
    """In the current transaction, rows written do not raise their members'
    data versions (PostgreSQL; elsewhere the triggers still do, which is only
    slower). The caller must then call member_versions_raise after commit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(versioning.DEFER_SQL)


def member_versions_raise(*, member_ids: list[int]) -> None:
    """Raise the data versions of `member_ids`, a short transaction per batch,
    so no member row stays locked for long. Their cached pages are rendered
    afresh from the next view on."""
    for start in range(0, len(member_ids), MEMBER_VERSION_BATCH):
        batch = member_ids[start : start + MEMBER_VERSION_BATCH]
        Member.objects.filter(pk__in=batch).update(data_version=F("data_version") + 1)


def _serial_no(prefix: str) -> str:
    """业务流水号: prefix, local date and 12 random hex digits (unique in the ledger)."""
    return f"{prefix}{timezone.localdate():%Y%m%d}{uuid.uuid4().hex[:12].upper()}"


@transaction.atomic
def withdrawal_book(
    *,
    account: FundAccount,
    amount: Decimal,
    reason: str,
    summary: str,
    close_account: bool = False,
    booked_on: date | None = None,
) -> LedgerEntry:
    """Book a 提取 of `amount` from `account`: a negative WITHDRAWAL ledger entry
    with its 提取原因 and a new 业务流水号, and the balance reduced.

    The account row is locked (select_for_update) for the whole transaction,
    so two withdrawals booked at the same moment are applied one after the
    other against the real balance, never both against the old one. Refuses
    (BookingRefused) when the account is not 正常 or the balance is short.
    `close_account` makes it 提取销户 once the balance is paid out to zero, and
    is refused while the member has a loan not settled (LoanContract `unsettled()`).
    """
    if not isinstance(amount, Decimal) or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise BookingRefused(BOOKING_AMOUNT_INVALID, code="amount_invalid")
    locked = FundAccount.objects.select_for_update().get(pk=account.pk)
    if locked.status != AccountStatus.NORMAL:
        raise BookingRefused(
            BOOKING_ACCOUNT_NOT_NORMAL.format(status=locked.get_status_display()), code="account_not_normal"
        )
    if locked.balance < amount:
        raise BookingRefused(
            BOOKING_INSUFFICIENT.format(amount=f"{amount:,.2f}", balance=f"{locked.balance:,.2f}"),
            code="insufficient_balance",
        )
    if close_account:
        # Never a 销户 while a loan is not paid off: checked here too, because a
        # loan may have been approved after the member applied to withdraw.
        loans = LoanContract.objects.filter(member_id=locked.member_id).unsettled()
        loan_no = loans.values_list("contract_no", flat=True).first()
        if loan_no is not None:
            raise BookingRefused(BOOKING_CLOSING_WITH_LOAN.format(contract_no=loan_no), code="closing_with_loan")
    locked.balance -= amount
    fields = ["balance"]
    if close_account and locked.balance == 0:
        locked.status = AccountStatus.CLOSED_WITHDRAWN
        fields.append("status")
    locked.save(update_fields=fields)
    entry = LedgerEntry.objects.create(
        account=locked,
        booked_on=booked_on or timezone.localdate(),
        kind=LedgerEntry.Kind.WITHDRAWAL,
        amount=-amount,
        balance_after=locked.balance,
        summary=summary[:100],
        withdrawal_reason=reason[:50],
        serial_no=_serial_no("TQ"),
    )
    account.balance, account.status = locked.balance, locked.status
    return entry


@dataclass(frozen=True)
class ProgressSpec:
    """One 贷款进度 node done before the contract exists (taken from the application)."""

    name: str
    handled_at: datetime
    handled_by: object = None  # the staff member (User) who handled it, for four eyes at 放款


@transaction.atomic
def loan_contract_open(
    *,
    member: Member,
    contract_no: str,
    amount: Decimal,
    term_months: int,
    annual_rate: Decimal,
    repayment_method: str,
    applied_on: date,
    done_steps: list[ProgressSpec],
) -> LoanContract:
    """A new contract 未发放 for an approved loan application, with its 贷款进度:
    the steps already done, then 签订合同 (current), 抵押登记 and 放款 (pending),
    so the loan pages show it and its 未发放 notices."""
    contract = LoanContract.objects.create(
        member=member,
        contract_no=contract_no,
        amount=amount,
        term_months=term_months,
        annual_rate=annual_rate,
        repayment_method=repayment_method,
        applied_on=applied_on,
        status=LoanStatus.NOT_DISBURSED,
        outstanding_principal=Decimal("0.00"),
    )
    steps = [
        LoanProgressStep(
            contract=contract,
            order=order,
            name=s.name,
            state=LoanProgressStep.State.DONE,
            handled_at=s.handled_at,
            handled_by=s.handled_by,
        )
        for order, s in enumerate(done_steps, start=1)
    ]
    for offset, name in enumerate(LOAN_STEPS_AFTER_APPROVAL):
        state = LoanProgressStep.State.CURRENT if offset == 0 else LoanProgressStep.State.PENDING
        steps.append(LoanProgressStep(contract=contract, order=len(done_steps) + offset + 1, name=name, state=state))
    LoanProgressStep.objects.bulk_create(steps)
    return contract


def loan_disburse_steps_wanted(*, steps: list[LoanProgressStep]) -> list[str]:
    """The 贷款进度 nodes whose day 放款 must be told, in order: every node not
    yet done, and 放款 itself (the 发放日期) even for a contract without one."""
    wanted = [step.name for step in steps if not step.is_done]
    return wanted if LoanProgressName.DISBURSE in wanted else [*wanted, LoanProgressName.DISBURSE]


def _disburse_refusal(
    *, contract: LoanContract, steps: list[LoanProgressStep], step_dates: Mapping[str, date], actor
) -> BookingRefused | None:
    """Why 放款 with these dates cannot be recorded, or None. Every node not yet
    done needs its date, and 放款 always; a date is never in the future, never
    before the application, and never before the node before it."""
    for step in steps:
        if step.is_done and step.handled_by_id == actor.pk:
            return BookingRefused(DISBURSE_FOUR_EYES.format(step=step.name), code="four_eyes")
    wanted = loan_disburse_steps_wanted(steps=steps)
    for name in wanted:
        if step_dates.get(name) is None:
            return BookingRefused(DISBURSE_DATE_MISSING.format(step=name), code="step_date_missing")
    for name in step_dates:
        if name not in wanted:
            return BookingRefused(DISBURSE_STEP_NOT_PENDING.format(step=name), code="step_not_pending")
    today = timezone.localdate()
    for name in wanted:
        day = step_dates[name]
        if day > today:
            return BookingRefused(DISBURSE_DATE_FUTURE.format(step=name, day=day), code="date_in_future")
        if day < contract.applied_on:
            return BookingRefused(
                DISBURSE_DATE_BEFORE_APPLIED.format(step=name, day=day, applied=contract.applied_on),
                code="date_before_application",
            )
    # The nodes in order with their days: done ones as recorded, the others as given now.
    timeline = [(s.name, _local_day(s.handled_at), False) for s in steps if s.is_done]
    timeline += [(name, step_dates[name], True) for name in wanted]
    previous, previous_day = None, None
    for name, day, new in timeline:
        if day is None:  # a node the core system marked done without a time
            continue
        if new and previous_day is not None and day < previous_day:
            return BookingRefused(
                DISBURSE_DATE_ORDER.format(step=name, day=day, previous=previous, previous_day=previous_day),
                code="date_out_of_order",
            )
        previous, previous_day = name, day
    return None


def _local_day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def _recorded_at(day: date, now: datetime) -> datetime:
    """When a node done on `day` is recorded: now if that is today; otherwise
    the start of that day, since only the day is known (the progress page
    shows the day only)."""
    if day == timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.combine(day, time.min))


@transaction.atomic
def loan_disburse(
    *, contract: LoanContract, step_dates: Mapping[str, date], actor, request: HttpRequest | None = None
) -> LoanContract:
    """放款 (staff): record the 贷款进度 nodes not yet done, each on the day
    `step_dates` gives for it (by node name: 签订合同, 抵押登记, 放款), and the
    contract, 未发放 until now, becomes 正常 on the 放款 day: the whole amount
    outstanding, its first payment due a month later, its monthly payment and
    remaining months from the amortization engine (the numbers its 还款计划
    will show).

    Refuses (BookingRefused) a contract that is not 未发放 (the row is locked,
    so a double click disburses once), a node without its day or a day given
    for a node already done, a day in the future, before the application or
    before the node before it, and a staff member who handled an earlier node
    of this loan (four eyes: whoever approved it does not pay it out).
    """
    locked = LoanContract.objects.select_for_update().get(pk=contract.pk)
    if locked.status != LoanStatus.NOT_DISBURSED:
        raise BookingRefused(DISBURSE_NOT_PENDING.format(contract_no=locked.contract_no), code="not_pending")
    steps = list(locked.progress_steps.order_by("order"))
    refusal = _disburse_refusal(contract=locked, steps=steps, step_dates=step_dates, actor=actor)
    if refusal is not None:
        raise refusal
    disbursed_on = step_dates[LoanProgressName.DISBURSE]
    first_due = amortization.add_months(disbursed_on, 1)
    plan = amortization.schedule(
        locked.repayment_method, locked.amount, locked.annual_rate, locked.term_months, first_due
    )
    locked.status = LoanStatus.ACTIVE
    locked.disbursed_on = disbursed_on
    locked.outstanding_principal = locked.amount
    locked.remaining_months = locked.term_months
    locked.next_due_on = first_due
    locked.monthly_payment = plan[0].total
    locked.save()
    now = timezone.now()
    for step in steps:
        if not step.is_done:
            step.state = LoanProgressStep.State.DONE
            step.handled_at = _recorded_at(step_dates[step.name], now)
            step.handled_by = actor
            step.save(update_fields=["state", "handled_at", "handled_by"])
    audit_record(
        kind=AuditEvent.Kind.LOAN_DISBURSED,
        request=request,
        member=locked.member,
        actor=actor,
        detail=f"借款合同{locked.contract_no} 放款{locked.amount:,.2f}元",
    )
    # Inside the transaction, as member_phone_changed: receivers write to their outbox.
    loan_disbursed.send(sender=LoanContract, member=locked.member, contract=locked)
    return locked
