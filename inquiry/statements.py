"""年度对账单: a member's fund account year by year (缴存年度, 1 July – 30 June).

Pure: no Django, no database. `annual_statements` takes the account's ledger
entries in booking order (booked_on, id) and gives each 缴存年度 its figures:

    上年结转余额 opening   the running balance at the end of the previous 30 June
                          (0 before the account's first entry)
    本年汇缴 deposits      MONTHLY_DEPOSIT
    本年补缴 back_payments BACK_PAYMENT
    本年提取 withdrawals   WITHDRAWAL, shown positive
    本年结息 interest      INTEREST
    本年转入 transfers_in  TRANSFER_IN
    本年转出 transfers_out TRANSFER_OUT, shown positive
    年末余额 closing       the ledger's running balance on 30 June: balance_after
                          of the year's last entry, or the opening if it has none

and the rule a statement must keep: opening + movements = closing. A year that
breaks it is not issued; `difference` says by how much (closing minus what the
movements add up to).

待入账 (pending) entries: withdrawals the portal approved and the core system
has not booked yet. A statement shows the core's books, so they are left out of
every figure (their balance_after is the portal's, which counts them; the core's
rows after them carry the core's running balance, which does not). And a year
with a pending entry in it is not issued yet: when the core books it, it may
book it on another day (the import moves the row to the core's date) or refuse
it, so the year's figures are not final until then. The statement must never
change once a member has it.

The current 缴存年度 (and any later one) is listed, not issued: it has not
ended. Nor is an ended year until the core's books have arrived past its 30
June: 结息 is booked that day and reaches the portal with a later batch, and
a statement issued before it would lack the year's interest.

Years after the last entry are listed only while the account holds a
balance, so a paid-out (销户) account's statements end with the year it was
emptied; an empty year between two entries is listed with its zero figures.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal("0.00")

# LedgerEntry.Kind's codes (inquiry/models/records.py; a test pins them) and the
# figure each one adds to. A kind not listed adds to none, so a year with one
# does not reconcile: it would be money the statement cannot show.
KIND_FIGURES = {
    "deposit": "deposits",
    "back_payment": "back_payments",
    "withdrawal": "withdrawals",
    "interest": "interest",
    "transfer_in": "transfers_in",
    "transfer_out": "transfers_out",
}
# Outgo is stored negative and shown positive.
SHOWN_POSITIVE = {"withdrawals", "transfers_out"}


class Status(StrEnum):
    ISSUED = "issued"
    NOT_ENDED = "not_ended"
    PENDING = "pending"
    NOT_RECONCILED = "not_reconciled"
    BOOKS_OPEN = "books_open"


STATUS_LABELS = {
    Status.ISSUED: "可出具",
    Status.NOT_ENDED: "年度未结束",
    Status.PENDING: "含待入账业务,暂不出具",
    Status.NOT_RECONCILED: "核对不符,暂不出具",
    Status.BOOKS_OPEN: "年度结算数据尚未全部到达,暂不出具",
}


@dataclass(frozen=True)
class Entry:
    """What a statement needs of a ledger entry (LedgerEntry's fields)."""

    booked_on: date
    kind: str
    amount: Decimal
    balance_after: Decimal
    pending: bool = False


@dataclass(frozen=True)
class AnnualStatement:
    """One 缴存年度: 1 July `start.year` to 30 June `end.year`."""

    start: date
    end: date
    opening: Decimal
    deposits: Decimal
    back_payments: Decimal
    withdrawals: Decimal
    interest: Decimal
    transfers_in: Decimal
    transfers_out: Decimal
    closing: Decimal
    entry_count: int
    pending_count: int
    ended: bool
    # Whether the core system's books have reached the portal past this 30
    # June (a batch as of 1 July or later was imported): 结息 and the last
    # postings of the year are booked on 30 June and arrive with later batches.
    books_closed: bool = True

    @property
    def label(self) -> str:
        return f"{self.start.year}-{self.end.year}年度"

    @property
    def expected_closing(self) -> Decimal:
        """What the opening and the year's movements add up to."""
        return (
            self.opening
            + self.deposits
            + self.back_payments
            + self.interest
            + self.transfers_in
            - self.withdrawals
            - self.transfers_out
        )

    @property
    def difference(self) -> Decimal:
        """The ledger's closing balance minus what the figures add up to (0.00 when they reconcile)."""
        return self.closing - self.expected_closing

    @property
    def reconciled(self) -> bool:
        return self.difference == 0

    @property
    def status(self) -> Status:
        # Not ended first (its figures are not final anyway); a broken year
        # before a pending one, because it is an error staff must look into.
        if not self.ended:
            return Status.NOT_ENDED
        if not self.books_closed:
            return Status.BOOKS_OPEN
        if not self.reconciled:
            return Status.NOT_RECONCILED
        if self.pending_count:
            return Status.PENDING
        return Status.ISSUED

    @property
    def issued(self) -> bool:
        return self.status == Status.ISSUED

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def year_start(day: date) -> date:
    """1 July opening the 缴存年度 that `day` falls in."""
    return date(day.year if day.month >= 7 else day.year - 1, 7, 1)


def annual_statements(
    entries: Iterable[Entry | tuple], *, today: date, books_through: date | None = None
) -> list[AnnualStatement]:
    """Every 缴存年度 from the one of the account's first entry on, oldest
    first (none for an account without entries). `entries` are Entry or
    tuples in Entry's field order, in booking order (booked_on, id): the last
    booked entry of a day is the one whose balance_after closes it.
    A year has ended when `today` is after its 30 June; its books are closed
    when `books_through` (the day the newest imported batch of the core's
    books is as of) is after it too. None: no batch was ever imported (the
    records are the portal's own), and only `today` counts."""
    rows = [entry if isinstance(entry, Entry) else Entry(*entry) for entry in entries]
    if not rows:
        return []
    last_start = max(year_start(rows[-1].booked_on), year_start(today))
    statements: list[AnnualStatement] = []
    balance = ZERO  # the core's running balance at the end of the last year
    index = 0
    start = year_start(rows[0].booked_on)
    while start <= last_start:
        end = date(start.year + 1, 6, 30)
        figures = dict.fromkeys(KIND_FIGURES.values(), ZERO)
        opening = closing = balance
        count = pending = 0
        while index < len(rows) and rows[index].booked_on <= end:
            entry = rows[index]
            index += 1
            if entry.pending:
                pending += 1
                continue
            count += 1
            figure = KIND_FIGURES.get(entry.kind)
            if figure is not None:
                figures[figure] += -entry.amount if figure in SHOWN_POSITIVE else entry.amount
            closing = entry.balance_after
        statements.append(
            AnnualStatement(
                start=start,
                end=end,
                opening=opening,
                closing=closing,
                entry_count=count,
                pending_count=pending,
                ended=today > end,
                books_closed=books_through is None or books_through > end,
                **figures,
            )
        )
        balance = closing
        start = date(start.year + 1, 7, 1)
    return _without_trailing_empty_years(statements, rows[-1].booked_on)


def _without_trailing_empty_years(statements: list[AnnualStatement], last_booked: date) -> list[AnnualStatement]:
    """Drop the years after the last entry's that hold nothing (a paid-out
    account): no entry, nothing carried in."""
    last_entry_start = year_start(last_booked)
    while statements and statements[-1].start > last_entry_start and statements[-1].opening == 0:
        statements.pop()
    return statements
