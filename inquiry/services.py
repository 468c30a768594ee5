"""Writes to the center's records that the portal itself makes.

The books are the core system's (they come in through its import); the
portal writes only what it must before the core answers: a 待入账 entry for a
withdrawal it approved (withdrawal_provisional_book), undone when the core
does not book it (pending_entry_reverse). The task area calls these when an
application is approved or its decision fails; this module never imports it.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone

from inquiry import versioning
from inquiry.models import (
    PHONE_TAKEN,
    AccountStatus,
    FundAccount,
    LedgerEntry,
    LoanContract,
    Member,
    validate_phone,
)
from inquiry.signals import member_phone_changed
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
BOOKING_SERIAL_INVALID = "业务流水号须为1至32位字母或数字"


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


@transaction.atomic
def withdrawal_provisional_book(
    *,
    account: FundAccount,
    amount: Decimal,
    reason: str,
    summary: str,
    serial_no: str,
    close_account: bool = False,
) -> LedgerEntry:
    """A 提取 the portal approved and the core system has not booked yet (待入账):
    a negative WITHDRAWAL ledger entry marked `pending`, under the 业务流水号
    the portal assigned (`serial_no`, the one the core books it under), with
    its 提取原因, and the balance reduced.

    It counts against the balance from now on, so a second withdrawal cannot
    overdraw while the core has not booked the first. The account row is
    locked (select_for_update) for the whole transaction: two approvals at
    the same moment are applied one after the other against the real balance.
    Refuses (BookingRefused) an amount that is not positive cents, an account
    not 正常, a short balance, and `close_account` (销户提取) while the member has
    a loan not settled (LoanContract `unsettled()`). The account is never
    closed here even when `close_account` pays it out to zero: closing is the
    core's, and comes back in its 个人账户 file (GRZHZT) with the booking.
    """
    if not isinstance(amount, Decimal) or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise BookingRefused(BOOKING_AMOUNT_INVALID, code="amount_invalid")
    if not (serial_no and len(serial_no) <= 32 and serial_no.isascii() and serial_no.isalnum()):
        raise BookingRefused(BOOKING_SERIAL_INVALID, code="serial_invalid")
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
    locked.save(update_fields=["balance"])
    entry = LedgerEntry.objects.create(
        account=locked,
        booked_on=timezone.localdate(),
        kind=LedgerEntry.Kind.WITHDRAWAL,
        amount=-amount,
        balance_after=locked.balance,
        summary=summary[:100],
        withdrawal_reason=reason[:50],
        serial_no=serial_no,
        pending=True,
    )
    account.balance = locked.balance
    return entry


@transaction.atomic
def pending_entry_reverse(*, serial_no: str) -> bool:
    """Undo a 待入账 entry the core will not book (it refused it, or did not
    book it in time): the pending LedgerEntry with this 业务流水号 is deleted
    and its amount given back to the balance. Returns whether there was one
    (False: none pending under that serial, e.g. the core's import already
    removed or confirmed it; calling twice is harmless).

    Rows are locked in the portal's order, member then account, and the entry
    is looked up again under those locks, so a reversal racing a confirmation
    (the import turning the entry booked) or a second reversal does nothing.
    Entries after it that are themselves pending were given their running
    balance by the portal on top of this one, so they get the amount back
    too; the core's own rows carry the core's running balance, never ours.
    """
    found = LedgerEntry.objects.filter(serial_no=serial_no, pending=True).values("account_id").first()
    if found is None:
        # Nothing to undo: return before locking anything (the import calls
        # this with its own locks held).
        return False
    account_id = found["account_id"]
    member_id = FundAccount.objects.filter(pk=account_id).values_list("member_id", flat=True).get()
    Member.objects.select_for_update().only("pk").get(pk=member_id)
    locked = FundAccount.objects.select_for_update().get(pk=account_id)
    entry = LedgerEntry.objects.select_for_update().filter(serial_no=serial_no, pending=True).first()
    if entry is None:
        return False
    given_back = -entry.amount
    LedgerEntry.objects.filter(account=locked, pending=True).filter(
        Q(booked_on__gt=entry.booked_on) | Q(booked_on=entry.booked_on, id__gt=entry.id)
    ).update(balance_after=F("balance_after") + given_back)
    entry.delete()
    locked.balance += given_back
    locked.save(update_fields=["balance"])
    return True
