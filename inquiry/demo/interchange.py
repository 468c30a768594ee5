"""The demo records as the core system would send them: interchange rows in
the tables and field names of JGJ/T 320 (inquiry/interchange/schema.py).

Pure: MemberSpec objects in, one dict per row out (column name -> a Python
value: str, Decimal, int, date or None). `manage.py seed_demo` writes these
rows as a batch and loads it with books_import, the door the core's own
books come through, so the demo shows what an import produces.

Keys are the ones the ORM seed used to write, so the pages do not change:
个人账号 and the ledger's 业务流水号 (account number + a 5-digit running number),
借款合同编号; the loan account (贷款账号) is "D" + the contract number and a
repayment's 业务流水号 is the loan account + its 3-digit 期次.
"""

from collections.abc import Iterable, Iterator
from decimal import Decimal

from inquiry.demo.members import EMPLOYERS
from inquiry.demo.specs import EntrySpec, LoanSpec, MemberSpec
from inquiry.interchange import mapping
from inquiry.models import CLOSED_STATUSES, LedgerEntry, LoanStatus
from zzgjj_portal.identity import birth_date_digits
from zzgjj_portal.money import to_cents

Kind = LedgerEntry.Kind

# The type of each kind the demo books (mapping.LEDGER_KINDS maps them back;
# its transfers in come from another city: 外部转入). A withdrawal that closes
# the account is 销户提取, every other one 部分提取.
LEDGER_CODES = {
    Kind.MONTHLY_DEPOSIT: mapping.LEDGER_DEPOSIT,
    Kind.BACK_PAYMENT: mapping.LEDGER_BACK_PAYMENT,
    Kind.INTEREST: mapping.LEDGER_INTEREST,
    Kind.TRANSFER_IN: mapping.LEDGER_TRANSFER_IN,
    Kind.TRANSFER_OUT: mapping.LEDGER_TRANSFER_OUT,
    Kind.WITHDRAWAL: mapping.LEDGER_PARTIAL_WITHDRAWAL,
}
CLOSING_WITHDRAWAL_CODE = mapping.LEDGER_CLOSING_WITHDRAWAL
# 提取方式: withdrawals are paid to the member's bank account (转账提取).
TRANSFER_PAYMENT = mapping.PAYMENT_BY_TRANSFER
ID_CARD = mapping.RESIDENT_ID_CARD
MORTGAGE = mapping.GUARANTEE_MORTGAGE  # every demo loan is secured by the home
REGULAR_REPAYMENT = mapping.POSTING_REGULAR
EARLY_REPAYMENT = mapping.POSTING_EARLY  # a settled demo loan's last posting pays off the rest at once

REPAYMENT_METHOD_CODES = {method: code for code, method in mapping.REPAYMENT_METHODS.items()}
LOAN_STATUS_CODES = {status: code for code, status in mapping.LOAN_STATUSES.items()}
PROGRESS_STATE_CODES = {state: code for code, state in mapping.PROGRESS_STATES.items()}
DEPOSIT_KINDS = (Kind.MONTHLY_DEPOSIT, Kind.BACK_PAYMENT)


def bank_account_no(account_no: str) -> str:
    """The demo member's bank card (19 digits) that withdrawals are paid to."""
    return f"6217000{account_no}"


def ledger_serial_no(account_no: str, number: int) -> str:
    """业务流水号 of the account's `number`-th ledger entry (from 1)."""
    return f"{account_no}{number:05d}"


def loan_account_no(contract_no: str) -> str:
    return f"D{contract_no}"


def repayment_serial_no(contract_no: str, period_no: int) -> str:
    return f"{loan_account_no(contract_no)}{period_no:03d}"


def sex_code(id_number: str) -> str:
    """XINGBIE from the ID number's 17th digit: odd for men (1), even for women (2)."""
    return "1" if int(id_number[16]) % 2 else "2"


def employer_rows(employers: Iterable[tuple[str, str]] = EMPLOYERS) -> list[dict]:
    """DWXX: 单位账号 and 单位名称 of each (account number, name)."""
    return [{"DWZH": account_no, "DWMC": name} for account_no, name in employers]


def person_row(spec: MemberSpec) -> dict:
    """GRXX: who the member is (SJHM empty when no phone was reserved)."""
    return {
        "GRZH": spec.account_no,
        "XINGMING": spec.name,
        "XINGBIE": sex_code(spec.id_number),
        "ZJLX": ID_CARD,
        "ZJHM": spec.id_number,
        "CSNY": birth_date_digits(spec.id_number)[:6],
        "SJHM": spec.phone or None,
    }


def _closing_withdrawal(spec: MemberSpec) -> EntrySpec | None:
    """The withdrawal that emptied a closed account (提取销户), if any."""
    if spec.status not in CLOSED_STATUSES:
        return None
    return next((e for e in reversed(spec.entries) if e.kind == Kind.WITHDRAWAL), None)


def paid_through(entries: Iterable[EntrySpec]) -> str | None:
    """缴至年月: the latest month paid for, by a deposit or a back payment."""
    periods = [e.period for e in entries if e.kind in DEPOSIT_KINDS and e.period]
    return max(periods) if periods else None


def account_row(spec: MemberSpec) -> dict:
    """GRZHXX: the fund account; 月缴存额 is each half of base × rate rounded
    half up to the cent, as the center computes it."""
    closing = _closing_withdrawal(spec)
    return {
        "GRZH": spec.account_no,
        "DWZH": spec.employer_account_no,
        "GRZHZT": str(spec.status),
        "KHRQ": spec.opened_on,
        "GRJCJS": spec.deposit_base,
        "DWJCBL": spec.employer_rate,
        "GRJCBL": spec.personal_rate,
        "GRYJCE": to_cents(spec.deposit_base * spec.personal_rate),
        "DWYJCE": to_cents(spec.deposit_base * spec.employer_rate),
        "GRZHYE": spec.balance,
        "JZNY": paid_through(spec.entries),
        "GRCKZHHM": bank_account_no(spec.account_no),
        "XHRQ": closing.booked_on if closing else None,
        "XHYY": closing.withdrawal_reason if closing else None,
    }


def ledger_rows(spec: MemberSpec) -> Iterator[dict]:
    """GRMX: one row per ledger entry, FSE unsigned (the type gives the
    direction), numbered as the account's 业务流水号 in booking order."""
    closing = _closing_withdrawal(spec)
    for number, entry in enumerate(spec.entries, start=1):
        code = CLOSING_WITHDRAWAL_CODE if entry is closing else LEDGER_CODES[entry.kind]
        withdrawal = entry.kind == Kind.WITHDRAWAL
        yield {
            "GRZH": spec.account_no,
            "JZRQ": entry.booked_on,
            "GJHTQYWLX": code,
            "FSE": abs(entry.amount),
            "TQYY": entry.withdrawal_reason or None,
            "TQFS": TRANSFER_PAYMENT if withdrawal else None,
            "YWLSH": ledger_serial_no(spec.account_no, number),
            "HJNY": entry.period or None,
            "ZY": entry.summary or None,
        }


def contract_row(spec: MemberSpec, loan: LoanSpec) -> dict:
    """DKHT: the loan contract, signed on the day it was applied for."""
    return {
        "JKHTBH": loan.contract_no,
        "JKRGJJZH": spec.account_no,
        "JKRXM": spec.name,
        "JKRZJLX": ID_CARD,
        "JKRZJH": spec.id_number,
        "HTDKJE": loan.amount,
        "DKQS": loan.term_months,
        "DKHKFS": REPAYMENT_METHOD_CODES[loan.repayment_method],
        "JKHTLL": loan.annual_rate,
        "DKDBLX": MORTGAGE,
        "JKHTQDRQ": loan.applied_on,
    }


def loan_account_row(loan: LoanSpec) -> dict:
    """DKZHXX: the loan account of a disbursed contract, with what the core
    keeps for the plan (剩余期数, 下期应还日期, 当期计划还款金额)."""
    last = loan.repayments[-1] if loan.repayments else None
    settled = loan.status == LoanStatus.SETTLED
    return {
        "DKZH": loan_account_no(loan.contract_no),
        "JKHTBH": loan.contract_no,
        "DKFFE": loan.amount,
        "DKFFRQ": loan.disbursed_on,
        "DKYE": loan.outstanding_principal,
        "DKLL": loan.annual_rate,
        "DKQS": loan.term_months,
        "DQJHHKJE": loan.monthly_payment,
        "DKJQRQ": last.repaid_on if settled and last else None,
        "HSBJZE": last.principal_to_date if last else Decimal("0.00"),
        "HSLXZE": last.interest_to_date if last else Decimal("0.00"),
        "DKZT": LOAN_STATUS_CODES[loan.status],
        "SYQS": loan.remaining_months,
        "XQYHRQ": loan.next_due_on,
    }


def repayment_rows(loan: LoanSpec) -> Iterator[dict]:
    """DKMX: the repayments, period by period (期次 from 1); a settled loan's
    last one pays off the rest early, in the period it fell in."""
    settled = loan.status == LoanStatus.SETTLED
    for period_no, repayment in enumerate(loan.repayments, start=1):
        early = settled and period_no == len(loan.repayments)
        yield {
            "DKZH": loan_account_no(loan.contract_no),
            "YWLSH": repayment_serial_no(loan.contract_no, period_no),
            "DKYWMXLX": EARLY_REPAYMENT if early else REGULAR_REPAYMENT,
            "YWFSRQ": repayment.repaid_on,
            "FSE": repayment.principal + repayment.interest,
            "BJJE": repayment.principal,
            "LXJE": repayment.interest,
            "DQQC": period_no,
            "JZRQ": repayment.repaid_on,
        }


def progress_rows(loan: LoanSpec) -> Iterator[dict]:
    """DKJD: the contract's progress nodes (办理日期 is a date: the page shows no time)."""
    for step in loan.steps:
        yield {
            "JKHTBH": loan.contract_no,
            "JDXH": step.order,
            "JDMC": str(step.name),
            "JDZT": PROGRESS_STATE_CODES[step.state],
            "BLRQ": step.handled_at.date() if step.handled_at else None,
        }


def batch_tables(specs: Iterable[MemberSpec], employers: Iterable[tuple[str, str]] = EMPLOYERS) -> dict[str, list]:
    """Every table of a batch holding `specs` (and the employers), by table name."""
    tables: dict[str, list] = {
        name: [] for name in ("DWXX", "GRXX", "GRZHXX", "GRMX", "DKHT", "DKZHXX", "DKMX", "DKJD")
    }
    tables["DWXX"] = employer_rows(employers)
    for spec in specs:
        tables["GRXX"].append(person_row(spec))
        tables["GRZHXX"].append(account_row(spec))
        tables["GRMX"].extend(ledger_rows(spec))
        for loan in spec.loans:
            tables["DKHT"].append(contract_row(spec, loan))
            tables["DKJD"].extend(progress_rows(loan))
            if loan.status != LoanStatus.NOT_DISBURSED:
                tables["DKZHXX"].append(loan_account_row(loan))
                tables["DKMX"].extend(repayment_rows(loan))
    return tables
