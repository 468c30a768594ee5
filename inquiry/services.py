"""Writes to the center's records that hall staff make.

Bookings (a withdrawal, a new loan contract, a disbursement) are made here so
that the records stay consistent whoever asks for them: the task area calls
these when an application is approved; this module never imports it.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from inquiry import amortization, versioning
from inquiry.models import (
    PHONE_TAKEN,
    AccountStatus,
    FundAccount,
    LedgerEntry,
    LoanContract,
    LoanProgressStep,
    LoanStatus,
    Member,
    validate_phone,
)
from inquiry.signals import loan_disbursed, member_phone_changed
from zzgjj_portal.audit import audit_record
from zzgjj_portal.masking import mask_id_number, mask_phone
from zzgjj_portal.models import AuditEvent

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
    # Other apps react after the commit (the task area messages the member),
    # so a rolled-back change never tells anyone anything.
    transaction.on_commit(
        lambda: member_phone_changed.send(sender=Member, member=locked, old_phone=old, new_phone=phone)
    )
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
DISBURSE_NOT_PENDING = "借款合同【{contract_no}】不是未发放状态,不能放款"
DISBURSE_STEP_NAMES = ("签订合同", "抵押登记", "放款")


class BookingRefused(Exception):
    """A booking the records refuse; `message` is shown to staff as is."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


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
    `close_account` makes it 提取销户 once the balance is paid out to zero.
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
            contract=contract, order=order, name=s.name, state=LoanProgressStep.State.DONE, handled_at=s.handled_at
        )
        for order, s in enumerate(done_steps, start=1)
    ]
    for offset, name in enumerate(DISBURSE_STEP_NAMES):
        state = LoanProgressStep.State.CURRENT if offset == 0 else LoanProgressStep.State.PENDING
        steps.append(LoanProgressStep(contract=contract, order=len(done_steps) + offset + 1, name=name, state=state))
    LoanProgressStep.objects.bulk_create(steps)
    return contract


@transaction.atomic
def loan_disburse(
    *, contract: LoanContract, disbursed_on: date, actor, request: HttpRequest | None = None
) -> LoanContract:
    """放款 (staff): a 未发放 contract becomes 正常 on `disbursed_on`, the whole
    amount outstanding, its first payment due a month later, and its monthly
    payment and remaining months from the amortization engine (the same
    numbers its 还款计划 will show). The remaining progress nodes are done.

    The contract row is locked, so a double click disburses once; refuses
    (BookingRefused) a contract that is not 未发放.
    """
    locked = LoanContract.objects.select_for_update().get(pk=contract.pk)
    if locked.status != LoanStatus.NOT_DISBURSED:
        raise BookingRefused(DISBURSE_NOT_PENDING.format(contract_no=locked.contract_no), code="not_pending")
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
    LoanProgressStep.objects.filter(contract=locked).exclude(state=LoanProgressStep.State.DONE).update(
        state=LoanProgressStep.State.DONE, handled_at=now
    )
    audit_record(
        kind=AuditEvent.Kind.LOAN_DISBURSED,
        request=request,
        member=locked.member,
        actor=actor,
        detail=f"借款合同{locked.contract_no} 放款{locked.amount:,.2f}元",
    )
    transaction.on_commit(lambda: loan_disbursed.send(sender=LoanContract, member=locked.member, contract=locked))
    return locked
