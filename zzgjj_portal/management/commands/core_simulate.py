"""`manage.py core_simulate`: a stand-in for the center's core business system,
for development and the demo (never for production: a real core books).

One round does what a core does with the portal's outbox:

1. takes the decisions it has not acknowledged, through the file channel
   (books_export: WTJD.csv, read back with the interchange reader), and
   acknowledges them (as POST /api/core/outbox/ack/ would); decisions
   acknowledged earlier but still 待入账 (a round that stopped before its
   import) are taken again from the outbox, so nothing is lost;
2. books them into a delta batch, as the core would:
   - a withdrawal: its posting in 个人业务明细 (GRMX) under the decision's
     业务流水号, type 11 部分提取 (12 销户提取 when the decision closes the
     account), and the account's row (GRZHXX) with the new balance (and, for
     销户, status 05, 销户日期 and 销户原因);
   - a loan: the contract (DKHT) naming the decision in SQYWLSH and its
     progress (DKJD: 申请受理 审核 审批 done, 签订合同 办理中, the rest not
     started); with --disburse also the loan account (DKZHXX, 正常) with all
     nodes done, and so for earlier simulated contracts still 未发放;
   - a decision it will not book (--refuse SERIAL REASON, or a withdrawal the
     core's balance cannot pay, or an account it does not have): its answer
     (JDFK, 处理结果 02 with the reason);
3. writes the batch numbered after the last applied one and imports it with
   books_import, which confirms the 待入账 entries (已入账) or fails them.

`--loop N` repeats a round every N seconds until interrupted (`make simulate`).
A composition point: it joins the task area's outbox and inquiry's import.
"""

import shutil
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from inquiry import amortization
from inquiry.demo import interchange as codes
from inquiry.demo.ledger import CLOSING_WITHDRAWAL, WITHDRAWALS
from inquiry.interchange import mapping, reader, schema
from inquiry.interchange.importing import books_import
from inquiry.interchange.writer import batch_write
from inquiry.models import (
    CLOSED_STATUSES,
    AccountStatus,
    FundAccount,
    ImportRun,
    LoanContract,
    LoanProgressName,
    LoanProgressStep,
    LoanStatus,
    WithdrawalReason,
)
from tasks.models import Decision
from tasks.services.decisions import decision_row, decisions_acknowledge, decisions_export
from zzgjj_portal.management.commands._batches import next_batch_no
from zzgjj_portal.money import format_money

State = LoanProgressStep.State
REFUSED = mapping.RESULT_REFUSED
PARTIAL_WITHDRAWAL, CLOSING_WITHDRAWAL_CODE = mapping.LEDGER_PARTIAL_WITHDRAWAL, mapping.LEDGER_CLOSING_WITHDRAWAL
# The 摘要 the core writes with a withdrawal, by 提取原因.
SUMMARIES = {str(reason): summary for reason, summary in WITHDRAWALS} | {
    WithdrawalReason.RETIREMENT.value: "离休退休提取"
}
SUMMARY_OTHER = "住房公积金提取"
# The core's own refusals.
NO_ACCOUNT = "业务系统中没有该个人账号"
ACCOUNT_CLOSED = "个人账户已销户"
BALANCE_SHORT = "账户余额不足,业务系统余额{balance}元"
NOT_OFFERED = "业务流水号{serial}不是待入账的决定"
# 贷款进度 after the core made the contract: the portal's three steps done,
# the contract being signed at the counter.
DONE_AT_APPROVAL = (LoanProgressName.ACCEPT, LoanProgressName.REVIEW, LoanProgressName.APPROVE)


def contract_no_for(serial_no: str) -> str:
    """The core's 借款合同编号 of a loan decision: ZZ, the year and W (online)
    with the decision's last 7 digits, as the portal numbered them before."""
    return f"ZZ{serial_no[2:6]}W{serial_no[-7:]}"


def booked_balance(account: FundAccount) -> Decimal:
    """The account's balance in the core's books: its ledger without the
    portal's 待入账 entries (the core has not booked those)."""
    return sum(account.entries.filter(pending=False).values_list("amount", flat=True), Decimal("0.00"))


def account_row(account: FundAccount, *, balance: Decimal, closed_on: date | None, close_reason: str) -> dict:
    """The account's GRZHXX row as the core holds it, with a new balance."""
    return {
        "GRZH": account.account_no,
        "DWZH": account.employer.account_no,
        "GRZHZT": AccountStatus.CLOSED_WITHDRAWN.value if closed_on else account.status,
        "KHRQ": account.opened_on,
        "GRJCJS": account.deposit_base,
        # As entered (0.12), not as stored (0.1200): the format's ratios have two decimals.
        "DWJCBL": account.employer_rate.normalize(),
        "GRJCBL": account.personal_rate.normalize(),
        "GRYJCE": account.personal_deposit,
        "DWYJCE": account.employer_deposit,
        "GRZHYE": balance,
        "JZNY": account.paid_through or None,
        "GRCKZHHM": account.bank_account_no or None,
        "XHRQ": closed_on or account.closed_on,
        "XHYY": close_reason or None,
    }


class Core:
    """One round's batch, table by table."""

    def __init__(self, today: date):
        self.today = today
        self.tables: dict[str, list[dict]] = {name: [] for name in ("GRZHXX", "GRMX", "DKHT", "DKZHXX", "DKJD", "JDFK")}
        self.balances: dict[str, Decimal] = {}  # the core's balance after this round's postings
        self.accounts: dict[str, dict] = {}
        self.booked = self.refused = self.disbursed = 0

    def refuse(self, serial_no: str, reason: str) -> None:
        self.tables["JDFK"].append({"YWLSH": serial_no, "CLJG": REFUSED, "JJYY": reason[:200], "CLRQ": self.today})
        self.refused += 1

    def withdraw(self, row: dict) -> None:
        serial_no, account_no, amount = row["YWLSH"], row["GRZH"], row["FSE"]
        account = FundAccount.objects.select_related("employer").filter(account_no=account_no).first()
        if account is None:
            return self.refuse(serial_no, NO_ACCOUNT)
        if account.status in CLOSED_STATUSES:
            return self.refuse(serial_no, ACCOUNT_CLOSED)
        balance = self.balances.get(account_no)
        if balance is None:
            balance = booked_balance(account)
        if amount > balance:
            return self.refuse(serial_no, BALANCE_SHORT.format(balance=format_money(balance)))
        closing = mapping.CLOSE_FLAGS.get(row.get("XHBZ") or "0", False)
        reason = row.get("TQYY") or CLOSING_WITHDRAWAL[0].value
        balance -= amount
        self.balances[account_no] = balance
        self.tables["GRMX"].append(
            {
                "GRZH": account_no,
                "JZRQ": self.today,
                "GJHTQYWLX": CLOSING_WITHDRAWAL_CODE if closing else PARTIAL_WITHDRAWAL,
                "FSE": amount,
                "TQYY": reason,
                "TQFS": codes.TRANSFER_PAYMENT,
                "YWLSH": serial_no,
                "ZY": CLOSING_WITHDRAWAL[1] if closing else SUMMARIES.get(reason, SUMMARY_OTHER),
            }
        )
        # One row per account in a batch: a later posting's row replaces it.
        self.accounts[account_no] = account_row(
            account, balance=balance, closed_on=self.today if closing else None, close_reason=reason if closing else ""
        )
        self.booked += 1

    def contract(self, row: dict, *, disburse: bool) -> None:
        serial_no, account_no = row["YWLSH"], row["GRZH"]
        account = FundAccount.objects.select_related("member").filter(account_no=account_no).first()
        if account is None:
            return self.refuse(serial_no, NO_ACCOUNT)
        decision = Decision.objects.select_related("application").filter(serial_no=serial_no).first()
        contract_no = contract_no_for(serial_no)
        member = account.member
        self.tables["DKHT"].append(
            {
                "JKHTBH": contract_no,
                "JKRGJJZH": account_no,
                "JKRXM": member.name,
                "JKRZJLX": codes.ID_CARD,
                "JKRZJH": member.id_number,
                "HTDKJE": row["FSE"],
                "DKQS": row["DKQS"],
                "DKHKFS": row["DKHKFS"],
                "JKHTLL": row["JKHTLL"],
                "DKDBLX": codes.MORTGAGE,
                # The portal's 申请日期 is the contract's date (as when the portal made contracts itself).
                "JKHTQDRQ": timezone.localdate(decision.application.submitted_at) if decision else self.today,
                "SQYWLSH": serial_no,
            }
        )
        handled = self._step_days(decision)
        if disburse:
            self._disburse(contract_no, row["FSE"], row["JKHTLL"], row["DKQS"], row["DKHKFS"], handled)
        else:
            self._progress(contract_no, handled, current=LoanProgressName.SIGN)
        self.booked += 1

    def disburse_existing(self, contract: LoanContract) -> None:
        """放款 of a contract an earlier round made (未发放)."""
        handled = {
            s.name: timezone.localdate(s.handled_at) for s in contract.progress_steps.all() if s.handled_at is not None
        }
        method = next(code for code, m in mapping.REPAYMENT_METHODS.items() if m == contract.repayment_method)
        self._disburse(
            contract.contract_no, contract.amount, contract.annual_rate, contract.term_months, method, handled
        )

    def _step_days(self, decision: Decision | None) -> dict[str, date]:
        """The days the portal's three steps were handled (the core copies them)."""
        if decision is None:
            return {}
        steps = {s.step: s.handled_at for s in decision.application.steps.all() if s.handled_at}
        names = dict(zip(("accept", "review", "approve"), DONE_AT_APPROVAL, strict=True))
        return {names[step]: timezone.localdate(at) for step, at in steps.items() if step in names}

    def _progress(self, contract_no: str, handled: dict[str, date], *, current: str | None) -> None:
        state = State.DONE
        for order, name in enumerate(LoanProgressName, start=1):
            if name == current:
                state = State.CURRENT
            day = handled.get(name, self.today) if state == State.DONE else None
            self.tables["DKJD"].append(
                {
                    "JKHTBH": contract_no,
                    "JDXH": order,
                    "JDMC": str(name),
                    "JDZT": codes.PROGRESS_STATE_CODES[state],
                    "BLRQ": day,
                }
            )
            if state == State.CURRENT:
                state = State.PENDING

    def _disburse(self, contract_no, amount, rate, term, method_code, handled) -> None:
        first_due = amortization.add_months(self.today, 1)
        plan = amortization.schedule(mapping.REPAYMENT_METHODS[method_code], amount, rate, term, first_due)
        self.tables["DKZHXX"].append(
            {
                "DKZH": codes.loan_account_no(contract_no),
                "JKHTBH": contract_no,
                "DKFFE": amount,
                "DKFFRQ": self.today,
                "DKYE": amount,
                "DKLL": rate,
                "DKQS": term,
                "DQJHHKJE": plan[0].total,
                "HSBJZE": Decimal("0.00"),
                "HSLXZE": Decimal("0.00"),
                "DKZT": codes.LOAN_STATUS_CODES[LoanStatus.ACTIVE],
                "SYQS": term,
                "XQYHRQ": first_due,
            }
        )
        self._progress(contract_no, handled, current=None)
        self.disbursed += 1

    def batch(self) -> dict[str, list[dict]]:
        self.tables["GRZHXX"] = list(self.accounts.values())
        return {name: rows for name, rows in self.tables.items() if rows}


def offered(folder: Path) -> list[dict]:
    """The decisions the portal exports (books_export into `folder`), read back
    as the core reads them; empty when there is nothing to export."""
    export = decisions_export(folder=folder)
    if export is None:
        return []
    manifest = reader.batch_open(folder, tables=schema.EXPORT_TABLES)
    rows = []
    for row in reader.rows_read(folder, manifest, schema.DECISIONS.name):
        if isinstance(row, reader.RowReject):
            raise CommandError(f"WTJD line {row.line_no}: {row.reason}")
        rows.append(row.values)
    return rows


def simulate_round(*, refuse: dict[str, str], disburse: bool, work: Path, stdout=None) -> ImportRun | None:
    """One round (see the module's docstring) with batches written under `work`;
    returns the import run, or None when there was nothing to book."""
    today = timezone.localdate()
    rows = offered(work / "export")
    decisions_acknowledge(serial_nos=[row["YWLSH"] for row in rows])
    # Acknowledged earlier but never booked: the core still has them.
    taken = {row["YWLSH"] for row in rows}
    rows += [decision_row(d) for d in Decision.objects.pending().exclude(serial_no__in=taken).order_by("id")]
    serials = {row["YWLSH"] for row in rows}
    unknown = [serial for serial in refuse if serial not in serials]
    if unknown:
        raise CommandError(NOT_OFFERED.format(serial=unknown[0]))
    core = Core(today)
    loan_kind = next(code for code, kind in mapping.DECISION_KINDS.items() if kind == Decision.Kind.LOAN)
    for row in rows:
        if row["YWLSH"] in refuse:
            core.refuse(row["YWLSH"], refuse[row["YWLSH"]])
        elif row["YWLX"] == loan_kind:
            core.contract(row, disburse=disburse)
        else:
            core.withdraw(row)
    if disburse:
        made = {contract_no_for(row["YWLSH"]) for row in rows}
        waiting = LoanContract.objects.filter(status=LoanStatus.NOT_DISBURSED).exclude(
            Q(decision_serial_no="") | Q(contract_no__in=made)
        )
        for contract in waiting.prefetch_related("progress_steps"):
            core.disburse_existing(contract)
    tables = core.batch()
    if not tables:
        return None
    batch_no = next_batch_no()
    folder = work / f"batch-{batch_no:06d}"
    batch_write(folder, batch_no=batch_no, kind="delta", as_of=timezone.now(), tables=tables)
    run = books_import(folder=folder)
    if stdout is not None:
        stdout.write(
            f"core_simulate: batch {batch_no} {run.get_status_display()}: {core.booked} booked, "
            f"{core.refused} refused, {core.disbursed} disbursed ({run.rows_applied} rows applied, "
            f"{run.rows_rejected} rejected)"
        )
    return run


class Command(BaseCommand):
    help = "开发用业务系统模拟: 取发件箱中的网厅决定, 记账为增量批次并导入 (books_import)"

    def add_arguments(self, parser):
        parser.add_argument(
            "--refuse", nargs=2, action="append", default=[], metavar=("SERIAL", "REASON"),
            help="Answer this decision 拒绝入账 with the reason (JDFK 02) instead of booking it.",
        )  # fmt: skip
        parser.add_argument(
            "--disburse", action="store_true", help="Pay out the loans: their loan accounts (正常), earlier ones too."
        )
        parser.add_argument("--loop", type=float, metavar="SECONDS", help="Repeat every SECONDS until interrupted.")
        parser.add_argument("--batch-dir", help="Keep the exports and batches here (default: a temporary folder).")

    def handle(self, *args, **options):
        refuse = dict(options["refuse"])
        while True:
            work = Path(options["batch_dir"] or tempfile.mkdtemp(prefix="core_simulate-"))
            if options["batch_dir"]:
                work = work / timezone.now().strftime("%Y%m%d-%H%M%S-%f")
            try:
                run = simulate_round(refuse=refuse, disburse=options["disburse"], work=work, stdout=self.stdout)
            finally:
                if not options["batch_dir"]:
                    shutil.rmtree(work, ignore_errors=True)
            if run is None:
                self.stdout.write("core_simulate: 没有待入账的决定")
            elif run.status != ImportRun.Status.APPLIED:
                raise CommandError(f"batch {run.batch_no} {run.get_status_display()}: {run.message}")
            if not options["loop"]:
                return
            refuse = {}  # a refusal is answered once
            time.sleep(options["loop"])
