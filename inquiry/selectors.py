"""Reads behind the member's pages. Every function starts from the member.

Ownership: a loan contract reaches a page only through `loan_get_for_member`,
which raises Http404 for a contract number that is not the member's, so a
guessed number shows nothing, not even whether it exists.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, ExtractMonth, ExtractQuarter, ExtractYear, Round, RowNumber
from django.http import Http404
from django.utils import timezone

from inquiry import amortization, charts, statements
from inquiry.models import FundAccount, ImportRun, LedgerEntry, LoanContract, LoanProgressStep, Member, Repayment
from zzgjj_portal.compiled import CompiledRead
from zzgjj_portal.pagination import PAGE_SIZE
from zzgjj_portal.rows import ModelRows

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class HomeSummary:
    account: FundAccount | None
    loans: list[LoanContract]


@dataclass(frozen=True)
class PlanResult:
    """还款计划 rows of a date range with their totals (exact Decimals): the
    page, the Excel file and the PDF all show these, so they cannot disagree."""

    rows: list[amortization.ScheduleRow]
    principal_total: Decimal
    interest_total: Decimal
    total: Decimal

    @classmethod
    def of(cls, rows: list[amortization.ScheduleRow]) -> "PlanResult":
        return cls(
            rows=rows,
            principal_total=sum((r.principal for r in rows), ZERO),
            interest_total=sum((r.interest for r in rows), ZERO),
            total=sum((r.total for r in rows), ZERO),
        )


@dataclass(frozen=True)
class LedgerResult:
    """The entries of a date range with their totals (exact Decimals).
    `rows` makes instances only for the slice asked for (a page shows 20)."""

    rows: ModelRows[LedgerEntry]
    income_total: Decimal
    outgo_total: Decimal

    @property
    def entries(self) -> list[LedgerEntry]:
        """Every entry as an instance (the Excel file and the print show them all)."""
        return list(self.rows)


# The reads every fresh member page makes, compiled once per process
# (zzgjj_portal/compiled.py). A foreign key lookup takes the member's id.
# With `has_loans` (whether the loan menu entries show), so a page that reads
# the account needs no query of its own for the menu.
_fund_account = CompiledRead(
    lambda member_id: (
        FundAccount.objects.select_related("employer")
        .filter(member=member_id)
        .annotate(has_loans=Exists(LoanContract.objects.filter(member=OuterRef("member"))))[:1]
    ),
    member_id=int,
)
_loans = CompiledRead(lambda member_id: member_loans(member=member_id), member_id=int)
_ledger_fields = [field.attname for field in LedgerEntry._meta.concrete_fields]
_ledger_rows = CompiledRead(
    lambda member_id, start, end: (
        LedgerEntry.objects.filter(account__member=member_id, booked_on__gte=start, booked_on__lte=end)
        .order_by("booked_on", "id")
        .values_list(*_ledger_fields)
    ),
    member_id=int,
    start=date,
    end=date,
)
_latest_period = CompiledRead(
    lambda account_id: (
        LedgerEntry.objects.filter(
            account=account_id, kind__in=[LedgerEntry.Kind.MONTHLY_DEPOSIT, LedgerEntry.Kind.BACK_PAYMENT]
        )
        .order_by("-period")
        .values_list("period")[:1]
    ),
    account_id=int,
)
_progress_steps = CompiledRead(
    lambda contract_id: LoanProgressStep.objects.filter(contract=contract_id).order_by("order"), contract_id=int
)
_repayment_fields = [field.attname for field in Repayment._meta.concrete_fields]
_repayment_rows = CompiledRead(
    lambda contract_id: (
        Repayment.objects.filter(contract=contract_id).order_by("repaid_on", "id").values_list(*_repayment_fields)
    ),
    contract_id=int,
)


@dataclass(frozen=True)
class LedgerPage:
    """One page of a date range's entries, with the count and totals of the
    whole range (exact Decimals): what the 缴存支取信息 page shows."""

    entries: list[LedgerEntry]
    count: int
    income_total: Decimal
    outgo_total: Decimal


# Amounts summed as whole cents: exact on PostgreSQL (numeric) and on SQLite,
# whose SUM() over decimals goes through float (a cent-rounded float times
# 100, rounded, is the exact number of cents).
_CENTS = Cast(Round(F("amount") * 100), BigIntegerField())
_PAGE_TOTALS = {
    "range_count": Window(Count("id")),
    "income_cents": Window(Sum(Case(When(amount__gt=0, then=_CENTS), default=Value(0)))),
    "outgo_cents": Window(Sum(Case(When(amount__lt=0, then=-_CENTS), default=Value(0)))),
}
# LIMIT and OFFSET are written into the SQL, so each page number is its own
# compiled read; past this many pages (600 rows: 40 years of deposits) the
# page is read without compiling.
_COMPILED_PAGES = 30
_ledger_page_reads: dict[tuple[bool, bool, int], CompiledRead] = {}


def _ledger_page_queryset(member_id, start, end, number: int) -> QuerySet[LedgerEntry]:
    queryset = LedgerEntry.objects.filter(account__member=member_id)
    if start is not None:
        queryset = queryset.filter(booked_on__gte=start)
    if end is not None:
        queryset = queryset.filter(booked_on__lte=end)
    offset = (number - 1) * PAGE_SIZE
    return queryset.annotate(**_PAGE_TOTALS).order_by("booked_on", "id")[offset : offset + PAGE_SIZE]


def ledger_page(*, member: Member, start: date | None, end: date | None, number: int) -> LedgerPage:
    """Page `number` (from 1) of the member's entries booked between start and
    end (inclusive; None means open), oldest first, with the range's count and
    totals as window aggregates of the same query: one query of 20 rows,
    whatever the range (a 30-year range has some 400). An empty page past the
    first has count 0: the caller treats it as a page that does not exist."""
    if 1 <= number <= _COMPILED_PAGES:
        key = (start is not None, end is not None, number)
        read = _ledger_page_reads.get(key)
        if read is None:
            types = {"member_id": int} | ({"start": date} if start else {}) | ({"end": date} if end else {})
            read = _ledger_page_reads.setdefault(
                key,
                CompiledRead(
                    lambda member_id, start=None, end=None, n=number: _ledger_page_queryset(member_id, start, end, n),
                    **types,
                ),
            )
        values = {"member_id": member.pk} | ({"start": start} if start else {}) | ({"end": end} if end else {})
        entries = read(**values)
    else:
        entries = list(_ledger_page_queryset(member.pk, start, end, number))
    if not entries:
        return LedgerPage(entries=[], count=0, income_total=ZERO, outgo_total=ZERO)
    first = entries[0]
    return LedgerPage(
        entries=entries,
        count=first.range_count,
        income_total=Decimal(first.income_cents).scaleb(-2),
        outgo_total=Decimal(first.outgo_cents).scaleb(-2),
    )


def member_fund_account(*, member: Member) -> FundAccount | None:
    """The member's fund account with its employer, or None (not yet opened);
    `account.has_loans` tells whether the member has a loan contract."""
    found = _fund_account(member_id=member.pk)
    return found[0] if found else None


def member_loans(*, member: Member) -> QuerySet[LoanContract]:
    """The member's loan contracts, oldest application first."""
    return LoanContract.objects.filter(member=member).order_by("applied_on", "id")


def member_loan_list(*, member: Member) -> list[LoanContract]:
    """`member_loans` as a list, as every page that shows them needs it."""
    return _loans(member_id=member.pk)


_any_loan = CompiledRead(
    lambda member_id: LoanContract.objects.filter(member=member_id).values_list("id")[:1], member_id=int
)


def member_has_loans(*, member: Member) -> bool:
    """Whether the loan menu entries are shown (one cheap query, compiled once)."""
    return bool(_any_loan(member_id=member.pk))


def home_summary(*, member: Member) -> HomeSummary:
    """我的公积金 and 我的贷款 on the personal home page: two queries."""
    return HomeSummary(account=member_fund_account(member=member), loans=member_loan_list(member=member))


def latest_deposit_period(*, account: FundAccount) -> str:
    """最近汇缴年月: the latest month paid for by a deposit or back payment ('' if none)."""
    # The largest 'YYYYMM' (an empty period sorts first): what MAX(period) gives.
    found = _latest_period(account_id=account.pk)
    return found[0][0] if found else ""


def ledger_entries(*, member: Member, start: date | None, end: date | None) -> LedgerResult:
    """缴存支取明细 of the member's account booked between start and end
    (inclusive; None means open), oldest first, with income and outgo totals.

    One query (it uses the (account, booked_on, id) index). Totals are summed
    in Python: SQLite's SUM() over decimals goes through float, and money
    totals must be exact on every database.
    """
    if start and end:
        # The page's case (its form always has both): the compiled read.
        rows = ModelRows.of(LedgerEntry, _ledger_fields, _ledger_rows(member_id=member.pk, start=start, end=end))
    else:
        queryset = LedgerEntry.objects.filter(account__member=member)
        if start:
            queryset = queryset.filter(booked_on__gte=start)
        if end:
            queryset = queryset.filter(booked_on__lte=end)
        rows = ModelRows(queryset.order_by("booked_on", "id"))
    amounts = rows.column("amount")
    income = sum((a for a in amounts if a > 0), ZERO)
    outgo = sum((-a for a in amounts if a < 0), ZERO)
    return LedgerResult(rows=rows, income_total=income, outgo_total=outgo)


def loan_get_for_member(
    *, member: Member, contract_no: str, candidates: list[LoanContract] | None = None
) -> LoanContract:
    """The member's contract numbered `contract_no`, or Http404.

    `candidates`, when given, must be the member's own contracts (from
    `member_loans`): picking from them saves a query the page already made.
    """
    if "\x00" in contract_no:
        # PostgreSQL refuses NUL in a string literal (a 500); it names no contract.
        raise Http404("no such contract")
    if candidates is not None:
        for loan in candidates:
            if loan.contract_no == contract_no and loan.member_id == member.pk:
                return loan
        raise Http404("no such contract")
    try:
        return member_loans(member=member).get(contract_no=contract_no)
    except LoanContract.DoesNotExist:
        raise Http404("no such contract") from None


def loan_settled_dates(*, member: Member) -> dict[int, date | None]:
    """结清日期 of each of the member's settled (结清) contracts, by contract
    id: the core's 贷款结清日期 (DKJQRQ, `settled_on`), else the day of the
    last repayment (a loan settled before the core sent that date pays off on
    its last one), else None. One query."""
    rows = (
        LoanContract.objects.filter(member=member, status=LoanContract.Status.SETTLED)
        .annotate(last_repaid_on=Max("repayments__repaid_on"))
        .values_list("pk", "settled_on", "last_repaid_on")
    )
    return {pk: settled_on or last_repaid_on for pk, settled_on, last_repaid_on in rows}


def default_loan(loans: list[LoanContract]) -> LoanContract | None:
    """The contract shown when none is chosen: the latest one still being
    repaid, else the latest one (what a member most likely wants to see)."""
    running = [loan for loan in loans if loan.is_running]
    if running:
        return running[-1]
    return loans[-1] if loans else None


def loan_progress_steps(*, loan: LoanContract) -> list[LoanProgressStep]:
    """The contract's progress nodes in order (the loan already passed the gate)."""
    return _progress_steps(contract_id=loan.pk)


def loan_repayments(*, loan: LoanContract, start: date | None, end: date | None) -> ModelRows[Repayment]:
    """还款明细 of a contract (already passed the gate) repaid between start and
    end inclusive, oldest first; one query on the (contract, repaid_on) index."""
    if not start and not end:
        # The page's default (no range chosen): the compiled read.
        return ModelRows.of(Repayment, _repayment_fields, _repayment_rows(contract_id=loan.pk))
    queryset = Repayment.objects.filter(contract=loan)
    if start:
        queryset = queryset.filter(repaid_on__gte=start)
    if end:
        queryset = queryset.filter(repaid_on__lte=end)
    return ModelRows(queryset.order_by("repaid_on", "id"))


def loan_plan(*, loan: LoanContract, start: date | None, end: date | None) -> PlanResult | None:
    """还款计划 from the next due date on, computed (no query) from the
    contract's current outstanding principal, rate and remaining months, so it
    follows prepayments and rate changes; rows due between start and end.

    None when the contract is not being repaid (not disbursed, settled): it
    has no plan, and the page says why instead."""
    if not loan.is_running:
        return None
    if not loan.next_due_on or not loan.remaining_months:
        return PlanResult.of([])
    rows = _schedule(
        loan.repayment_method, loan.outstanding_principal, loan.annual_rate, loan.remaining_months, loan.next_due_on
    )
    return PlanResult.of(
        [row for row in rows if (not start or row.due_date >= start) and (not end or row.due_date <= end)]
    )


@lru_cache(maxsize=512)
def _schedule(
    method: str, principal: Decimal, annual_rate: Decimal, months: int, first_due: date
) -> tuple[amortization.ScheduleRow, ...]:
    """A plan is a pure function of these five values: each worker computes it
    once (a 360-row plan is about 1.5 ms of Decimal arithmetic, a quarter of
    the plan page) and the page, its Excel and the print reuse it. Rows are
    frozen dataclasses in a tuple, so no caller can change the cached plan."""
    return tuple(amortization.schedule(method, principal, annual_rate, months, first_due))


def loan_can_prepay(*, loan: LoanContract) -> bool:
    """Whether 提前还款试算 applies: a 正常 contract with a plan to shorten or lower."""
    return loan.status == LoanContract.Status.ACTIVE and bool(loan.next_due_on and loan.remaining_months)


def loan_prepayment_trial(
    *, loan: LoanContract, mode: str, amount: Decimal | None
) -> amortization.PrepaymentTrial | None:
    """提前还款试算 of a contract (already passed the gate) from its current
    plan, the one `loan_plan` shows; no query, nothing booked.

    None unless the contract is 正常 with a plan: a loan not disbursed or
    settled has nothing to prepay, and an overdue one settles its arrears at
    the counter first (as 偿还住房贷款提取 repays only 正常 loans)."""
    if not loan_can_prepay(loan=loan):
        return None
    return amortization.prepayment_trial(
        loan.repayment_method,
        loan.outstanding_principal,
        loan.annual_rate,
        loan.remaining_months,
        loan.next_due_on,
        mode=mode,
        amount=amount,
    )


def annual_statements(*, member: Member, today: date | None = None) -> list[statements.AnnualStatement]:
    """年度对账单: the member's account year by year (缴存年度, 1 July – 30 June),
    oldest first, with each year's figures and whether it may be issued
    (`inquiry.statements`: pending entries left out, the current year and a
    year that does not reconcile not issued). `today` decides which years
    have ended (the local date by default).

    One query of five columns over the whole ledger (the (account, booked_on,
    id) index), as tuples: a 30-year ledger is some 400 rows; and one of the
    newest import batch (`books_through`), which closes a year's books. The sums are
    Decimal additions in Python, exact on every database."""
    rows = (
        LedgerEntry.objects.filter(account__member=member)
        .order_by("booked_on", "id")
        .values_list("booked_on", "kind", "amount", "balance_after", "pending")
    )
    return statements.annual_statements(rows, today=today or timezone.localdate(), books_through=books_through())


def books_through() -> date | None:
    """The day the core system's books have reached the portal up to: the
    newest applied import batch's 截至 (as_of), in China time; None when no
    batch was ever applied (the records are the portal's own)."""
    as_of = (
        ImportRun.objects.filter(status=ImportRun.Status.APPLIED, as_of__isnull=False)
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .first()
    )
    return timezone.localtime(as_of).date() if as_of else None


# Charts (inquiry/charts.py draws them; templates/inquiry/partials/chart_*.html).
# 缴存 in the per-year bars: what the member paid in (汇缴, 补缴); 提取 what
# was taken out. Interest and transfers are in the balance line, not the bars.
CHART_DEPOSIT_KINDS = [LedgerEntry.Kind.MONTHLY_DEPOSIT, LedgerEntry.Kind.BACK_PAYMENT]
# Each period's key is the YYYYMM of its last month: a month's own, a
# quarter's third (ExtractQuarter * 3: 03, 06, 09, 12), a 缴存年度's June.
_PERIOD_KEYS = {
    1: ExtractYear("booked_on") * 100 + ExtractMonth("booked_on"),
    3: ExtractYear("booked_on") * 100 + ExtractQuarter("booked_on") * 3,
    12: ExtractYear("booked_on") * 100
    + Case(When(booked_on__month__gte=7, then=Value(106)), default=Value(6), output_field=IntegerField()),
}
# The balance line has at most about 60 points: by month up to 5 years, by
# quarter up to 15, by 缴存年度 beyond. More would be closer than a few pixels
# on a phone, and reading and drawing them cost the 30-year page more than
# its 1.2× budget (bench/charts.py).
CHART_STEPS = ((60, 1), (180, 3))


def _ledger_periods_read(key) -> CompiledRead:
    return CompiledRead(
        lambda member_id, start, end: (
            LedgerEntry.objects.filter(account__member=member_id, booked_on__gte=start, booked_on__lte=end)
            .annotate(
                period_key=key,
                # The period's last entry (in the page's order) carries its closing balance.
                newest=Window(RowNumber(), partition_by=[key], order_by=[F("booked_on").desc(), F("id").desc()]),
                deposit_cents=Window(
                    Sum(Case(When(kind__in=CHART_DEPOSIT_KINDS, then=_CENTS), default=Value(0))), partition_by=[key]
                ),
                withdrawal_cents=Window(
                    Sum(Case(When(kind=LedgerEntry.Kind.WITHDRAWAL, then=-_CENTS), default=Value(0))),
                    partition_by=[key],
                ),
            )
            .filter(newest=1)
            .order_by("period_key")
            .values_list("period_key", "balance_after", "deposit_cents", "withdrawal_cents")
        ),
        member_id=int,
        start=date,
        end=date,
    )


_ledger_periods = {months: _ledger_periods_read(key) for months, key in _PERIOD_KEYS.items()}


class LedgerMonth(NamedTuple):
    """One calendar month (or quarter) of the ledger as the charts draw it. A named tuple
    with whole cents for the sums: a 30-year range makes 360 of them per
    page, and dataclass instances and Decimals would cost the page a third
    of its time (bench/charts.py)."""

    period: str  # YYYYMM (of a quarter: its last month)
    balance: Decimal  # 月末余额: 余额 of the month's last entry (a month without one: the month before's)
    deposit_cents: int  # 汇缴 + 补缴 booked in the month
    withdrawal_cents: int  # 提取 booked in the month, positive

    @property
    def deposits(self) -> Decimal:
        return Decimal(self.deposit_cents).scaleb(-2)

    @property
    def withdrawals(self) -> Decimal:
        return Decimal(self.withdrawal_cents).scaleb(-2)


@dataclass(frozen=True)
class LedgerYear:
    """One 缴存年度 (1 July – 30 June) of the months asked for."""

    start: date  # its 1 July
    deposits: Decimal
    withdrawals: Decimal

    @property
    def label(self) -> str:
        return f"{self.start.year}-{self.start.year + 1}年度"


def ledger_months(*, member: Member, start: date, end: date, step: int = 1) -> list[LedgerMonth]:
    """The member's ledger between start and end (inclusive) month by month
    (`step` 3: by quarter, 12: by 缴存年度, ending 30 June), from the period of the first entry to the
    period of the last, one with no entry carrying the balance before it.
    One query whatever the range: the database groups the rows by period
    (window functions) and returns one row per period, not each entry."""
    months: list[LedgerMonth] = []
    previous = None
    read = _ledger_periods[step]
    for month, balance, deposit_cents, withdrawal_cents in read(member_id=member.pk, start=start, end=end):
        index = month // 100 * 12 + month % 100 - 1  # consecutive months, consecutive numbers
        if previous is not None:
            # The periods between two with entries keep the balance they had.
            carried = months[-1].balance
            for missing in range(previous + step, index, step):
                months.append(LedgerMonth(f"{missing // 12}{missing % 12 + 1:02d}", carried, 0, 0))
        months.append(LedgerMonth(str(month), balance, deposit_cents, withdrawal_cents))
        previous = index
    last = end.year * 100 + end.month
    if months and int(months[-1].period) > last:
        # A period the range ends inside: its balance is the range end's.
        months[-1] = months[-1]._replace(period=str(last))
    return months


def chart_step(start: date, end: date) -> int:
    """Months per point of a range's balance line (CHART_STEPS): 1, 3 or 12."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    return next((step for up_to, step in CHART_STEPS if months <= up_to), 12)


# An open end of a range (None) as a date the month read can take.
_EARLIEST, _LATEST = date(1900, 1, 1), date(9999, 12, 31)


def ledger_charts(*, member: Member, start: date | None, end: date | None) -> dict:
    """The 缴存支取信息 charts of a range (None: open), one query: the
    month-end balance line (`balance_chart`) and the 缴存年度 bars
    (`years_chart`), as the page and the 缴存明细 PDF draw them; {} when the
    range holds no entry."""
    start, end = start or _EARLIEST, end or _LATEST
    if start == _EARLIEST or end == _LATEST:
        # An open range: as long as the ledger itself (the account's first to last entry).
        span = LedgerEntry.objects.filter(account__member=member).aggregate(
            first=Min("booked_on"), last=Max("booked_on")
        )
        step = chart_step(max(start, span["first"] or start), min(end, span["last"] or end))
    else:
        step = chart_step(start, end)
    months = ledger_months(member=member, start=start, end=end, step=step)
    if not months:
        return {}
    years = ledger_years(months)
    periods, balances = [m.period for m in months], [m.balance for m in months]
    return {
        "balance_chart": charts.balance_line(periods, balances, step=step),
        "years_chart": charts.deposit_years([(y.start.year, y.deposits, y.withdrawals) for y in years]),
    }


def ledger_recent_months(*, member: Member, count: int = 24, today: date | None = None) -> list[LedgerMonth]:
    """`ledger_months` of the last `count` calendar months, this one included
    (the home page's sparkline): one query."""
    today = today or timezone.localdate()
    return ledger_months(member=member, start=amortization.add_months(today.replace(day=1), 1 - count), end=today)


def ledger_years(months: list[LedgerMonth]) -> list[LedgerYear]:
    """`ledger_months` added up by 缴存年度 (a range's first and last year
    hold only the months inside it). No query."""
    years: dict[int, list[int]] = {}
    for period, _, deposit_cents, withdrawal_cents in months:
        # 缴存年度 by the year its 1 July falls in (statements.year_start's rule, on YYYYMM).
        year = int(period[:4]) - (int(period[4:]) < 7)
        sums = years.setdefault(year, [0, 0])
        sums[0] += deposit_cents
        sums[1] += withdrawal_cents
    return [
        LedgerYear(date(year, 7, 1), Decimal(d).scaleb(-2), Decimal(w).scaleb(-2)) for year, (d, w) in years.items()
    ]


@dataclass(frozen=True)
class PlanYear:
    year: int
    principal: Decimal
    interest: Decimal


def plan_remaining(*, loan: LoanContract, plan: PlanResult) -> list[tuple[str, Decimal]]:
    """(应还年月, 贷款余额 after it) of each plan row: the contract's current
    outstanding principal less the principal of the plan's rows due up to
    then (the whole plan's, so a range that starts later still starts from
    the right figure). No query: the plan is computed."""
    if not plan.rows:
        return []
    first = plan.rows[0].due_date
    remaining = loan.outstanding_principal
    for row in _schedule(
        loan.repayment_method, loan.outstanding_principal, loan.annual_rate, loan.remaining_months, loan.next_due_on
    ):
        if row.due_date >= first:
            break
        remaining -= row.principal
    series = []
    for row in plan.rows:
        remaining -= row.principal
        series.append((row.period, remaining))
    return series


def plan_years(plan: PlanResult) -> list[PlanYear]:
    """应还本金 and 应还利息 of the plan's rows by calendar year of their due date."""
    years: dict[int, list[Decimal]] = {}
    for row in plan.rows:
        sums = years.setdefault(row.due_date.year, [ZERO, ZERO])
        sums[0] += row.principal
        sums[1] += row.interest
    return [PlanYear(year, principal, interest) for year, (principal, interest) in years.items()]
