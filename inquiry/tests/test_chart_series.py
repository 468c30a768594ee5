"""The charts' series (selectors.ledger_months, ledger_years, plan_remaining,
plan_years) against the rows the pages' tables show."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inquiry import selectors, statements
from inquiry.models import LedgerEntry
from inquiry.tests.factories import FundAccountFactory, LedgerEntryFactory

pytestmark = pytest.mark.django_db

KINDS = list(LedgerEntry.Kind)


def fill(account, rows: int, rng: random.Random, first: date = date(2000, 1, 1)) -> None:
    """Entries of every kind, some months without any, several in others."""
    balance, day = Decimal("0.00"), first
    for _ in range(rows):
        day += timedelta(days=rng.choice([3, 17, 31, 75]))
        kind = rng.choice(KINDS)
        amount = Decimal(rng.randint(1, 9_999_999)).scaleb(-2)
        if kind in (LedgerEntry.Kind.WITHDRAWAL, LedgerEntry.Kind.TRANSFER_OUT):
            if balance <= amount:
                kind = LedgerEntry.Kind.MONTHLY_DEPOSIT
            else:
                amount = -amount
        balance += amount
        LedgerEntryFactory(account=account, booked_on=day, kind=kind, amount=amount, balance_after=balance)


def expected_months(rows: list[LedgerEntry]) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    """Month by month from the table's rows: the last row's 余额 on or before
    the month's end, and the month's 汇缴+补缴 and 提取."""
    if not rows:
        return []
    first, last = rows[0].booked_on, rows[-1].booked_on
    y, m, out = first.year, first.month, []
    while (y, m) <= (last.year, last.month):
        inside = [r for r in rows if (r.booked_on.year, r.booked_on.month) == (y, m)]
        before = [r for r in rows if (r.booked_on.year, r.booked_on.month) <= (y, m)]
        deposits = sum((r.amount for r in inside if r.kind in selectors.CHART_DEPOSIT_KINDS), Decimal("0.00"))
        withdrawals = sum((-r.amount for r in inside if r.kind == LedgerEntry.Kind.WITHDRAWAL), Decimal("0.00"))
        out.append((f"{y}{m:02d}", before[-1].balance_after, deposits, withdrawals))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def period_end(day: date, step: int) -> int:
    """YYYYMM of the last month of the period (month, quarter, 缴存年度) holding `day`."""
    if step == 1:
        return day.year * 100 + day.month
    if step == 3:
        return day.year * 100 + (day.month + 2) // 3 * 3
    return (day.year + (day.month >= 7)) * 100 + 6


def expected_periods(rows, step: int, end: date) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    """Period by period from the table's rows, each period's last row's 余额
    (one without rows: the period before's), its 汇缴+补缴 and 提取; a last
    period the range ends inside is named by the range end's month."""
    keys = sorted({period_end(r.booked_on, step) for r in rows})
    if not keys:
        return []
    out, key = [], keys[0]
    while key <= keys[-1]:
        inside = [r for r in rows if period_end(r.booked_on, step) == key]
        before = [r for r in rows if period_end(r.booked_on, step) <= key]
        deposits = sum((r.amount for r in inside if r.kind in selectors.CHART_DEPOSIT_KINDS), Decimal("0.00"))
        withdrawals = sum((-r.amount for r in inside if r.kind == LedgerEntry.Kind.WITHDRAWAL), Decimal("0.00"))
        out.append((str(min(key, end.year * 100 + end.month)), before[-1].balance_after, deposits, withdrawals))
        index = key // 100 * 12 + key % 100 - 1 + step
        key = index // 12 * 100 + index % 12 + 1
    return out


@pytest.mark.parametrize("step", [3, 12])
def test_ledger_quarters_and_years_are_the_tables_rows(member, account, step):
    fill(account, 150, random.Random(step))
    for start, end in [(date(1999, 1, 1), date(2040, 1, 1)), (date(2002, 3, 4), date(2009, 8, 9))]:
        rows = selectors.ledger_entries(member=member, start=start, end=end).entries
        months = selectors.ledger_months(member=member, start=start, end=end, step=step)
        assert [(m.period, m.balance, m.deposits, m.withdrawals) for m in months] == expected_periods(rows, step, end)
        # The 缴存年度 sums are the same whatever the step.
        monthly = selectors.ledger_months(member=member, start=start, end=end)
        assert selectors.ledger_years(months) == selectors.ledger_years(monthly)


def test_chart_step_keeps_the_line_near_60_points():
    assert selectors.chart_step(date(2025, 12, 5), date(2026, 12, 4)) == 1
    assert selectors.chart_step(date(2021, 12, 5), date(2026, 12, 4)) == 3  # 61 months
    assert selectors.chart_step(date(2011, 12, 5), date(2026, 12, 4)) == 12
    assert selectors.chart_step(date(2012, 1, 1), date(2026, 12, 31)) == 3  # 180 months


@pytest.mark.parametrize("seed", [1, 2])
def test_ledger_months_are_the_tables_rows_month_by_month(member, account, seed):
    rng = random.Random(seed)
    fill(account, 120, rng)
    fill(FundAccountFactory(), 40, rng)  # another member's rows never count
    for start, end in [(date(1999, 1, 1), date(2040, 1, 1)), (date(2002, 3, 4), date(2005, 8, 9))]:
        rows = selectors.ledger_entries(member=member, start=start, end=end).entries
        with CaptureQueriesContext(connection) as queries:
            months = selectors.ledger_months(member=member, start=start, end=end)
        assert len(queries) == 1
        assert [(m.period, m.balance, m.deposits, m.withdrawals) for m in months] == expected_months(rows)
        years = selectors.ledger_years(months)
        by_year: dict[date, list[Decimal]] = {}
        for r in rows:
            sums = by_year.setdefault(statements.year_start(r.booked_on), [Decimal("0.00"), Decimal("0.00")])
            if r.kind in selectors.CHART_DEPOSIT_KINDS:
                sums[0] += r.amount
            elif r.kind == LedgerEntry.Kind.WITHDRAWAL:
                sums[1] -= r.amount
        # Years whose months hold no entry at all are still listed (with zeros) between others.
        assert {y.start: [y.deposits, y.withdrawals] for y in years if y.start in by_year} == by_year
        assert all(y.deposits == y.withdrawals == 0 for y in years if y.start not in by_year)
        assert [y.start for y in years] == sorted(y.start for y in years)


def test_ledger_months_of_an_empty_range_and_one_entry(member, account):
    assert selectors.ledger_months(member=member, start=date(2000, 1, 1), end=date(2030, 1, 1)) == []
    LedgerEntryFactory(
        account=account, booked_on=date(2024, 7, 1), amount=Decimal("5.00"), balance_after=Decimal("5.00")
    )
    months = selectors.ledger_months(member=member, start=date(2000, 1, 1), end=date(2030, 1, 1))
    assert [(m.period, m.balance, m.deposits) for m in months] == [("202407", Decimal("5.00"), Decimal("5.00"))]
    assert [(y.label, y.deposits) for y in selectors.ledger_years(months)] == [("2024-2025年度", Decimal("5.00"))]
