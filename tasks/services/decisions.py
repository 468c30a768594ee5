"""Writes of the decisions outbox (发件箱): what the portal approved goes to the
core system, and comes back booked (已入账) or refused (入账失败).

- decision_record: written by 审批 in the approval's transaction (with the
  withdrawal's 待入账 ledger entry), under a 业务流水号 the portal assigns.
- decisions_acknowledge: the core has received them; no longer offered. That
  is not booking: an acknowledged decision stays 待入账 until the core's own
  posting (or its refusal) comes back.
- decisions_settle: the core's import says which it booked and which it
  refused (inquiry.signals.decisions_settled, received in tasks/receivers.py).
- decisions_expire: those still 待入账 after TASKS_DECISION_BOOKING_DAYS fail,
  their 待入账 entry reversed (an hourly job, tasks/jobs.py).
- decisions_export: the unacknowledged ones as an interchange batch for the
  core (manage.py books_export), offered again in every export until acked.

A decision settles once: every transition locks the decision row
(select_for_update) and reads its state under the lock, so the job run twice,
or the import's answer racing the job, never tells the member twice. One
exception, on purpose: the core's booking wins over a failure (the core's
books are the truth). A decision the portal failed because the core took too
long and that the core books later becomes 已入账, and the member is told.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from inquiry import services as records
from inquiry.interchange import mapping, schema
from inquiry.interchange.writer import batch_write
from inquiry.models import FundAccount, LoanContract, Member
from tasks.models.applications import Application
from tasks.models.decisions import Decision, DecisionExport
from tasks.selectors.decisions import CHUNK, decisions_unknown
from tasks.services.messages import message_send_on_commit
from zzgjj_portal.masking import mask_bank_account
from zzgjj_portal.money import format_money
from zzgjj_portal.refusal import Refusal

log = logging.getLogger(__name__)

SERIAL_PREFIX = "WT"  # 网厅: the portal's own 业务流水号, never the core's
BUSINESS = {Decision.Kind.WITHDRAWAL: "提取入账", Decision.Kind.LOAN: "贷款申请"}

# Messages to the member (消息).
WITHDRAWAL_BOOKED_TEXT = "您的{title}(业务流水号{serial})已入账,{amount}元转入您的银行账户{bank}。"
LOAN_NEXT = "请到服务大厅签订合同、办理抵押登记。"
LOAN_BOOKED_TEXT = "您的贷款申请(业务流水号{serial})已由业务系统受理,借款合同编号【{contract_no}】," + LOAN_NEXT
LOAN_BOOKED_NO_CONTRACT_TEXT = "您的贷款申请(业务流水号{serial})已由业务系统受理," + LOAN_NEXT
WITHDRAWAL_FAILED_TEXT = (
    "您的{title}(业务流水号{serial})未能入账,原因:{reason}。{amount}元已退回您的公积金账户余额,"
    "如有疑问请咨询服务大厅或拨打12329。"
)
LOAN_FAILED_TEXT = "您的贷款申请(业务流水号{serial})未能入账,原因:{reason}。如有疑问请咨询服务大厅或拨打12329。"
# The reason a decision fails when the core has not booked it in time.
NOT_BOOKED_IN_TIME = "业务系统{days}日内未入账"
REASON_UNKNOWN = "业务系统未说明原因"
REASON_END = "。.;;!! "  # a reason's own closing punctuation


def decision_serial_no(*, application: Application, on=None) -> str:
    """业务流水号 of an application's decision: WT, the local date of approval
    and the application number zero-padded to ten digits (20 characters).
    Unique because application numbers are (one decision per application)."""
    day = on or timezone.localdate()
    return f"{SERIAL_PREFIX}{day:%Y%m%d}{application.pk:010d}"


def decision_record(
    *,
    application: Application,
    account: FundAccount,
    serial_no: str,
    withdrawal_reason: str = "",
    close_account: bool = False,
) -> Decision:
    """The outbox row of an approved application (call it inside the approval's
    transaction): its kind, the member's 个人账号, the amount, the bank
    account the member applied with, and for a loan the approved terms."""
    if application.kind == Application.Kind.LOAN:
        fields = {
            "term_months": application.term_years * 12,
            "annual_rate": application.annual_rate,
            "repayment_method": application.repayment_method,
        }
    else:
        fields = {
            "bank_account_no": application.bank_account_no,
            "withdrawal_reason": withdrawal_reason,
            "close_account": close_account,
        }
    return Decision.objects.create(
        application=application,
        serial_no=serial_no,
        kind=application.kind,
        account_no=account.account_no,
        amount=application.amount,
        created_at=timezone.now(),
        **fields,
    )


@transaction.atomic
@dataclass(frozen=True)
class Acknowledged:
    """What decisions_acknowledge did: how many were acknowledged now, and the
    serials that name no decision (for the reply to the core)."""

    count: int
    unknown: list[str]


def decisions_acknowledge(*, serial_nos: list[str]) -> Acknowledged:
    """The core has received the decisions with these 业务流水号: set their
    acked_at (only where empty: the first acknowledgement's time stays), so
    they are no longer offered. Counts those acknowledged now; an
    acknowledgement repeated is harmless (0); serials that name no decision
    are ignored, logged and returned."""
    wanted = list(dict.fromkeys(s.strip() for s in serial_nos if s and s.strip()))
    now = timezone.now()
    acknowledged = 0
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        acknowledged += Decision.objects.filter(serial_no__in=chunk, acked_at__isnull=True).update(acked_at=now)
    unknown = decisions_unknown(serial_nos=wanted)
    if unknown:
        # Serials are the portal's own numbers, never personal data.
        log.warning("decisions ack: %s unknown serial(s), e.g. %s", len(unknown), ", ".join(unknown[:5]))
    return Acknowledged(count=acknowledged, unknown=unknown)


@dataclass(frozen=True)
class Settled:
    """What decisions_settle changed: serials now 已入账 and now 入账失败."""

    booked: list[str]
    failed: list[str]


def _locked(serial_no: str) -> Decision | None:
    return Decision.objects.select_for_update().select_related("application").filter(serial_no=serial_no).first()


def _book(decision: Decision, now: datetime) -> bool:
    """已入账 (under the decision's lock): from 待入账, or from 入账失败 when the
    core booked it after all. The core clearly has it, so acked_at is set."""
    if decision.state == Decision.State.BOOKED:
        return False
    if decision.state == Decision.State.FAILED:
        log.warning("decision %s booked by the core after it had failed (%s)", decision.serial_no, "late booking")
    decision.state = Decision.State.BOOKED
    decision.settled_at = now
    decision.failure_reason = ""
    decision.acked_at = decision.acked_at or now
    decision.save(update_fields=["state", "settled_at", "failure_reason", "acked_at"])
    application = decision.application
    if decision.kind == Decision.Kind.WITHDRAWAL:
        content = WITHDRAWAL_BOOKED_TEXT.format(
            title=application.title,
            serial=decision.serial_no,
            amount=format_money(decision.amount),
            bank=mask_bank_account(decision.bank_account_no),
        )
    else:
        contract_no = (
            LoanContract.objects.filter(decision_serial_no=decision.serial_no)
            .values_list("contract_no", flat=True)
            .first()
        )
        if contract_no:
            # 我发起的 links the application to its contract's pages.
            application.contract_no = contract_no
            application.save(update_fields=["contract_no"])
            content = LOAN_BOOKED_TEXT.format(serial=decision.serial_no, contract_no=contract_no)
        else:
            content = LOAN_BOOKED_NO_CONTRACT_TEXT.format(serial=decision.serial_no)
    message_send_on_commit(member=application.member, business=BUSINESS[decision.kind], content=content)
    return True


def _fail(decision: Decision, reason: str, now: datetime) -> bool:
    """入账失败 (under the decision's lock), only from 待入账: the withdrawal's
    待入账 entry is reversed (if the core's import has not removed it already)
    and the member is told why."""
    if decision.state != Decision.State.PENDING:
        return False
    reason = (reason or "").strip()[:200] or REASON_UNKNOWN
    if decision.kind == Decision.Kind.WITHDRAWAL:
        records.pending_entry_reverse(serial_no=decision.serial_no)
    decision.state = Decision.State.FAILED
    decision.settled_at = now
    decision.failure_reason = reason
    decision.save(update_fields=["state", "settled_at", "failure_reason"])
    application = decision.application
    # The message puts its own 。 after the reason: the core's own full stop would double it.
    said = reason.rstrip(REASON_END) or reason
    if decision.kind == Decision.Kind.WITHDRAWAL:
        content = WITHDRAWAL_FAILED_TEXT.format(
            title=application.title, serial=decision.serial_no, reason=said, amount=format_money(decision.amount)
        )
    else:
        content = LOAN_FAILED_TEXT.format(serial=decision.serial_no, reason=said)
    message_send_on_commit(member=application.member, business=BUSINESS[decision.kind], content=content)
    return True


@transaction.atomic
def decisions_settle(*, booked: list[str], refused: dict[str, str]) -> Settled:
    """The core's answer on the portal's decisions (its import, in its
    transaction): `booked` serials become 已入账, `refused` ones (serial ->
    the core's reason) 入账失败 with the withdrawal's 待入账 entry reversed.
    Each member is told. Serials that name no decision are ignored (the
    core's own postings share the column); a decision already settled the same
    way is left alone, so the same batch imported twice tells nobody twice."""
    now = timezone.now()
    done_booked, done_failed = [], []
    for serial_no in dict.fromkeys(booked):
        decision = _locked(serial_no)
        if decision is not None and _book(decision, now):
            done_booked.append(serial_no)
    for serial_no, reason in refused.items():
        decision = _locked(serial_no)
        if decision is None:
            continue
        # The core's refusal shows it has the decision, as a booking does: no
        # longer offered by the outbox API or books_export.
        if decision.acked_at is None:
            decision.acked_at = now
            decision.save(update_fields=["acked_at"])
        if decision.state == Decision.State.BOOKED:
            log.warning("decision %s refused by the core after it was booked: left booked", serial_no)
        if _fail(decision, reason, now):
            done_failed.append(serial_no)
    return Settled(booked=done_booked, failed=done_failed)


def decisions_expire(*, now: datetime | None = None) -> int:
    """入账失败 for every decision still 待入账 more than
    TASKS_DECISION_BOOKING_DAYS days after approval (reason 「业务系统N日内未入账」):
    the withdrawal's 待入账 entry is reversed, the balance restored, the member
    told. One short transaction per decision; returns how many failed now
    (0 on a second run: idempotent)."""
    days = settings.TASKS_DECISION_BOOKING_DAYS
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    reason = NOT_BOOKED_IN_TIME.format(days=days)
    stale = list(
        Decision.objects.pending()
        .filter(created_at__lt=cutoff)
        .order_by("id")
        .values_list("id", "application__member_id")
    )
    return sum(
        1 for pk, member_id in stale if _expire_one(pk=pk, member_id=member_id, cutoff=cutoff, reason=reason, now=now)
    )


@transaction.atomic
def _expire_one(*, pk: int, member_id: int, cutoff: datetime, reason: str, now: datetime) -> bool:
    # The portal's lock order: member, account, then the decision. The core's
    # import holds accounts before it settles decisions, so taking the
    # decision first here could deadlock with it.
    Member.objects.select_for_update().only("pk").get(pk=member_id)
    list(FundAccount.objects.select_for_update().filter(member_id=member_id).values_list("pk", flat=True))
    decision = Decision.objects.select_for_update().select_related("application").get(pk=pk)
    if decision.state != Decision.State.PENDING or decision.created_at >= cutoff:
        return False
    return _fail(decision, reason, now)


# books_export ------------------------------------------------------------

EXPORT_KIND = "delta"  # what is new for the core, never a replacement of its books
EXPORT_BUSY = "另一个导出正在写批次{batch_no},请稍后再试"
EXPORT_FOLDER_NOT_EMPTY = "导出目录{folder}不为空:每个批次写入一个新的空目录"
KIND_CODES = {kind: code for code, kind in mapping.DECISION_KINDS.items()}
CLOSE_CODES = {flag: code for code, flag in mapping.CLOSE_FLAGS.items()}
METHOD_CODES = {method: code for code, method in mapping.REPAYMENT_METHODS.items()}


class ExportRefused(Refusal):
    """books_export cannot write the batch; `message` says why."""


def decision_row(decision: Decision) -> dict[str, object]:
    """One decision as a WTJD row (schema.DECISIONS), in the portal's codes
    mapped onto the interchange's: 业务类型 WTYWLX, 销户标志 XHBZ, 还款方式
    DKHKFS; 审批时间 in Asia/Shanghai. A withdrawal has no loan terms and a
    loan no 提取原因, bank account or 销户标志 (empty cells)."""
    row: dict[str, object] = {
        "YWLSH": decision.serial_no,
        "YWLX": KIND_CODES[decision.kind],
        "GRZH": decision.account_no,
        "FSE": decision.amount,
        "SPSJ": timezone.localtime(decision.created_at).strftime("%Y-%m-%d %H:%M:%S"),
    }
    if decision.kind == Decision.Kind.WITHDRAWAL:
        row.update(
            TQYY=decision.withdrawal_reason,
            XHBZ=CLOSE_CODES[decision.close_account],
            GRCKZHHM=decision.bank_account_no or None,
        )
    else:
        row.update(
            DKQS=decision.term_months,
            JKHTLL=decision.annual_rate,
            DKHKFS=METHOD_CODES[decision.repayment_method],
        )
    return row


def decisions_export(*, folder: Path | str, encoding: str = "UTF-8") -> DecisionExport | None:
    """Write every decision the core has not acknowledged, oldest first, as a
    delta batch (manifest.json and WTJD.csv) into `folder`, a new or empty
    directory, numbered the last export's number plus one. Nothing is
    acknowledged by exporting: a decision is in every export until the core
    acknowledges it (the API) or settles it (its import). Returns the export
    (batch number, rows), or None when there is nothing to export (no batch
    written, no number used). Raises ExportRefused for a folder not empty or
    another export taking the same number at the same moment."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise ExportRefused(EXPORT_FOLDER_NOT_EMPTY.format(folder=folder), code="folder_not_empty")
    with transaction.atomic():
        decisions = list(Decision.objects.unacknowledged().order_by("id"))
        if not decisions:
            return None
        # The number is claimed by the row (unique) before the files are
        # written, and undone with it if the writing fails (the writer puts
        # manifest.json last: a folder without one is no batch).
        last = DecisionExport.objects.order_by("-batch_no").values_list("batch_no", flat=True).first()
        batch_no = (last or 0) + 1
        now = timezone.now()
        try:
            with transaction.atomic():
                export = DecisionExport.objects.create(
                    batch_no=batch_no, exported_at=now, folder=str(folder.resolve()), rows=len(decisions)
                )
        except IntegrityError:
            raise ExportRefused(EXPORT_BUSY.format(batch_no=batch_no), code="busy") from None
        batch_write(
            folder,
            batch_no=batch_no,
            kind=EXPORT_KIND,
            # In the center's time, as the core writes its own batches and as SPSJ is.
            as_of=timezone.localtime(now),
            tables={schema.DECISIONS.name: (decision_row(d) for d in decisions)},
            encoding=encoding,
        )
    log.info("books_export: batch %s, %s decisions", batch_no, len(decisions))
    return export
