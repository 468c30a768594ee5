"""The staging tables: one temporary table per interchange table, holding
the rows the reader accepted, already mapped onto the portal's codes (the
mapping module) and types, so that every later step is plain SQL.

A converter returns the staging row, or a string: the reason the row cannot
be stored although the reader accepted it (a value the portal's columns
cannot hold).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal

from inquiry.interchange import mapping
from inquiry.interchange.reader import CzbzFlags
from inquiry.models import LedgerEntry
from zzgjj_portal.identity import CENTER_TZ

SMALLINT_MAX = 32767
RATE_PLACES = Decimal("0.00001")  # LoanContract.annual_rate
DEPOSIT_RATE_PLACES = Decimal("0.0001")  # FundAccount.*_rate

REJECT_SMALLINT = "{column} 超出网厅可保存的范围(最大{limit}): {value}"
REJECT_MONEY_RANGE = "{column} 金额超出网厅可保存的范围: {value}"
REJECT_NEGATIVE = "{column} 不能为负: {value}"
REJECT_RATE_ZERO = "{column} 利率按5位小数保存后为0: {value}"
# The records' money columns are decimal(14,2).
MONEY_LIMIT = Decimal("1000000000000")

LEDGER_TYPE_LABELS = mapping.CODE_LISTS["GJHTQYWLX"]


@dataclass(frozen=True)
class Stage:
    table: str  # the interchange table (GRMX)
    name: str  # its staging table (imp_grmx)
    columns: tuple[tuple[str, str], ...]  # (column, SQL type), line_no first
    key: str  # SQL of the row's natural key, as the reader writes it in a RowReject
    convert: Callable[[int, dict, "Context"], tuple | str]
    indexes: tuple[str, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)


@dataclass(frozen=True)
class Context:
    flags: CzbzFlags
    pg: bool


def _rate(value: Decimal | None, places: Decimal) -> Decimal | None:
    return None if value is None else value.quantize(places)


def _small(column: str, value: int | None) -> str | None:
    if value is not None and value > SMALLINT_MAX:
        return REJECT_SMALLINT.format(column=column, limit=SMALLINT_MAX, value=value)
    return None


def _money_reason(values: dict, *columns: str) -> str | None:
    """Why a money value the reader accepted (up to 16 digits) cannot be stored."""
    for column in columns:
        value = values[column]
        if value is not None and abs(value) >= MONEY_LIMIT:
            return REJECT_MONEY_RANGE.format(column=column, value=value)
    return None


def _rate_reason(values: dict, column: str) -> str | None:
    value = values[column]
    if value is not None and _rate(value, RATE_PLACES) <= 0:
        return REJECT_RATE_ZERO.format(column=column, value=value)
    return None


def _midnight(day, pg: bool):
    """BLRQ is a day: the node was handled at the start of it, Asia/Shanghai.
    SQLite keeps datetimes as naive UTC text, as Django writes them."""
    if day is None:
        return None
    moment = datetime.combine(day, time.min, tzinfo=CENTER_TZ)
    if pg:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def _employer(line: int, v: dict, c: Context):
    return (line, v["DWZH"], v["DWMC"])


def _person(line: int, v: dict, c: Context):
    return (line, v["GRZH"], v["XINGMING"], v["ZJHM"], v["SJHM"])


def _account(line: int, v: dict, c: Context):
    reason = _money_reason(v, "GRJCJS", "GRZHYE")
    if reason:
        return reason
    if v["GRJCJS"] < 0:
        return REJECT_NEGATIVE.format(column="GRJCJS", value=v["GRJCJS"])
    return (
        line,
        v["GRZH"],
        v["DWZH"],
        v["GRZHZT"],
        v["KHRQ"],
        v["GRJCJS"],
        _rate(v["DWJCBL"], DEPOSIT_RATE_PLACES),
        _rate(v["GRJCBL"], DEPOSIT_RATE_PLACES),
        v["GRZHYE"],
        v["JZNY"] or "",
        v["GRCKZHHM"] or "",
        v["XHRQ"],
    )


def _ledger(line: int, v: dict, c: Context):
    reason = _money_reason(v, "FSE")
    if reason:
        return reason
    code, amount = v["GJHTQYWLX"], v["FSE"]
    if code in mapping.LEDGER_NO_MONEY:
        # Accepted and checked like any row, never shown: kind stays NULL.
        kind, amount = None, Decimal("0")
    elif code == mapping.LEDGER_SIGNED_KIND:  # 内部转移: the core signs it
        kind = (LedgerEntry.Kind.TRANSFER_IN if amount > 0 else LedgerEntry.Kind.TRANSFER_OUT).value
    else:
        portal_kind, sign = mapping.LEDGER_KINDS[code]
        kind, amount = portal_kind.value, amount * sign
    return (
        line,
        v["GRZH"],
        v["YWLSH"],
        1 if c.flags.is_reversal(v["CZBZ"]) else 0,
        v["JZRQ"],
        kind,
        amount,
        v["TQYY"] or "",
        v["HJNY"] or "",
        v["ZY"] or LEDGER_TYPE_LABELS.get(code, ""),
    )


def _contract(line: int, v: dict, c: Context):
    reason = _money_reason(v, "HTDKJE") or _rate_reason(v, "JKHTLL")
    if reason:
        return reason
    return (
        line,
        v["JKHTBH"],
        v["JKRGJJZH"],
        v["JKRZJH"],
        v["HTDKJE"],
        v["DKQS"],
        _rate(v["JKHTLL"], RATE_PLACES),
        mapping.REPAYMENT_METHODS[v["DKHKFS"]].value,
        v["JKHTQDRQ"],
        v["SQYWLSH"] or "",
    )


def _loan_account(line: int, v: dict, c: Context):
    reason = _money_reason(v, "DKYE", "DQJHHKJE") or _rate_reason(v, "DKLL")
    if reason:
        return reason
    return (
        line,
        v["DKZH"],
        v["JKHTBH"],
        v["DKFFRQ"],
        v["DKYE"],
        _rate(v["DKLL"], RATE_PLACES),
        v["DQJHHKJE"],
        mapping.LOAN_STATUSES[v["DKZT"]].value,
        v["SYQS"] or 0,
        v["XQYHRQ"],
        v["DKJQRQ"],
    )


def _posting(line: int, v: dict, c: Context):
    reason = _small("DQQC", v["DQQC"]) or _money_reason(v, "BJJE", "LXJE")
    if reason:
        return reason
    return (
        line,
        v["DKZH"],
        v["YWLSH"],
        1 if v["DKYWMXLX"] in mapping.REPAYMENT_POSTINGS else 0,
        v["YWFSRQ"],
        v["BJJE"],
        v["LXJE"],
        v["DQQC"],
    )


def _progress(line: int, v: dict, c: Context):
    reason = _small("JDXH", v["JDXH"])
    if reason:
        return reason
    return (
        line,
        v["JKHTBH"],
        v["JDXH"],
        v["JDMC"],
        mapping.PROGRESS_STATES[v["JDZT"]].value,
        _midnight(v["BLRQ"], c.pg),
    )


def _result(line: int, v: dict, c: Context):
    return (line, v["YWLSH"], v["CLJG"], v["JJYY"] or "")


TEXT, MONEY, RATE, INT, DATE, STAMP = "text", "numeric", "numeric", "bigint", "date", "timestamptz"
LINE = ("line_no", INT)

STAGES = (
    Stage("DWXX", "imp_dwxx", (LINE, ("dwzh", TEXT), ("dwmc", TEXT)), "s.dwzh", _employer, ("dwzh",)),
    Stage(
        "GRXX",
        "imp_grxx",
        (LINE, ("grzh", TEXT), ("name", TEXT), ("zjhm", TEXT), ("sjhm", TEXT)),
        "s.grzh",
        _person,
        ("grzh", "zjhm", "sjhm"),
    ),
    Stage(
        "GRZHXX",
        "imp_grzhxx",
        (
            LINE,
            ("grzh", TEXT),
            ("dwzh", TEXT),
            ("status", TEXT),
            ("opened_on", DATE),
            ("deposit_base", MONEY),
            ("employer_rate", RATE),
            ("personal_rate", RATE),
            ("grzhye", MONEY),
            ("paid_through", TEXT),
            ("bank_account_no", TEXT),
            ("closed_on", DATE),
        ),
        "s.grzh",
        _account,
        ("grzh", "dwzh"),
    ),
    Stage(
        "GRMX",
        "imp_grmx",
        (
            LINE,
            ("grzh", TEXT),
            ("ywlsh", TEXT),
            ("rev", INT),
            ("booked_on", DATE),
            ("kind", TEXT),
            ("amount", MONEY),
            ("reason", TEXT),
            ("period", TEXT),
            ("summary", TEXT),
        ),
        "s.ywlsh",
        _ledger,
        ("ywlsh", "grzh"),
    ),
    Stage(
        "DKHT",
        "imp_dkht",
        (
            LINE,
            ("jkhtbh", TEXT),
            ("grzh", TEXT),
            ("zjh", TEXT),
            ("amount", MONEY),
            ("term_months", INT),
            ("annual_rate", RATE),
            ("method", TEXT),
            ("applied_on", DATE),
            ("sqywlsh", TEXT),
        ),
        "s.jkhtbh",
        _contract,
        ("jkhtbh", "grzh"),
    ),
    Stage(
        "DKZHXX",
        "imp_dkzhxx",
        (
            LINE,
            ("dkzh", TEXT),
            ("jkhtbh", TEXT),
            ("disbursed_on", DATE),
            ("outstanding", MONEY),
            ("annual_rate", RATE),
            ("monthly_payment", MONEY),
            ("status", TEXT),
            ("remaining_months", INT),
            ("next_due_on", DATE),
            ("settled_on", DATE),
        ),
        "s.dkzh",
        _loan_account,
        ("dkzh", "jkhtbh"),
    ),
    Stage(
        "DKMX",
        "imp_dkmx",
        (
            LINE,
            ("dkzh", TEXT),
            ("ywlsh", TEXT),
            ("repay", INT),
            ("repaid_on", DATE),
            ("principal", MONEY),
            ("interest", MONEY),
            ("period_no", INT),
        ),
        "s.ywlsh",
        _posting,
        ("ywlsh", "dkzh"),
    ),
    Stage(
        "DKJD",
        "imp_dkjd",
        (LINE, ("jkhtbh", TEXT), ("jdxh", INT), ("name", TEXT), ("state", TEXT), ("handled_at", STAMP)),
        "s.jkhtbh || '/' || CAST(s.jdxh AS TEXT)",
        _progress,
        ("jkhtbh",),
    ),
    Stage(
        "JDFK",
        "imp_jdfk",
        (LINE, ("ywlsh", TEXT), ("cljg", TEXT), ("jjyy", TEXT)),
        "s.ywlsh",
        _result,
        ("ywlsh",),
    ),
)
BY_TABLE = {stage.table: stage for stage in STAGES}
