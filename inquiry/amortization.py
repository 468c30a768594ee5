"""Loan repayment schedules (pure: no Django, Decimal only).

Both methods follow the center's rules: monthly rate = annual rate / 12; each
period's interest is the outstanding principal times the monthly rate, rounded
half up to the cent; the last period takes whatever rounding left over so the
principals add up exactly to the principal.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from zzgjj_portal.money import to_cents

ZERO = Decimal("0.00")
# The repayment methods' codes, defined here (the engine dispatches on them)
# and used by inquiry.models.RepaymentMethod, so the code is written once.
EQUAL_INSTALLMENT = "equal_installment"
EQUAL_PRINCIPAL = "equal_principal"


@dataclass(frozen=True)
class ScheduleRow:
    period: str  # 应还年月, YYYYMM
    due_date: date  # 应还日期
    principal: Decimal  # 应还本金
    interest: Decimal  # 应还利息
    total: Decimal  # 应还本息


def add_months(start: date, months: int, day: int | None = None) -> date:
    """`start` moved by `months`, on `day` (default start's day) clamped to the
    month's end: a loan due on the 31st falls due on the 30th or 28th/29th."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    wanted = day if day is not None else start.day
    return date(year, month, min(wanted, calendar.monthrange(year, month)[1]))


def due_dates(first_due_date: date, months: int) -> list[date]:
    """Due dates anchored on the first one's day (not drifting after a short month)."""
    return [add_months(first_due_date, k, first_due_date.day) for k in range(months)]


def _check(principal: Decimal, annual_rate: Decimal, months: int) -> None:
    if not isinstance(principal, Decimal) or not isinstance(annual_rate, Decimal):
        raise TypeError("principal and annual_rate must be Decimal")
    if principal < 0 or annual_rate < 0 or months < 0:
        raise ValueError("principal, annual_rate and months must not be negative")


def _interest(outstanding: Decimal, annual_rate: Decimal) -> Decimal:
    """A period's interest: outstanding × annual rate / 12, rounded half up.

    Multiplied before dividing: outstanding × rate is exact, and the division
    by 12 is then exact whenever the result is a half cent, so it rounds up as
    the rule says. Multiplying by a monthly rate rounded to 28 digits first
    (annual_rate / 12) fell just short of some half cents: 24.00 at 3.25% is
    0.065 exactly, which came out 0.06499…9 and was rounded down to 0.06.
    """
    return to_cents(outstanding * annual_rate / 12)


def _row(due: date, principal: Decimal, interest: Decimal) -> ScheduleRow:
    # Not f"{due:%Y%m}": strftime was a third of a 360-row plan's time.
    return ScheduleRow(f"{due.year:04d}{due.month:02d}", due, principal, interest, principal + interest)


def equal_installment_payment(principal: Decimal, annual_rate: Decimal, months: int) -> Decimal:
    """等额本息: the annuity payment P·r·(1+r)^n / ((1+r)^n − 1), rounded half up."""
    _check(principal, annual_rate, months)
    if months == 0:
        return ZERO
    rate = annual_rate / 12
    if rate == 0:
        return to_cents(principal / months)
    growth = (1 + rate) ** months
    return to_cents(principal * rate * growth / (growth - 1))


def equal_installment_schedule(
    principal: Decimal, annual_rate: Decimal, months: int, first_due_date: date
) -> list[ScheduleRow]:
    """等额本息 plan for `months` periods of the outstanding `principal`."""
    payment = equal_installment_payment(principal, annual_rate, months)
    outstanding = to_cents(principal)
    rows = []
    for index, due in enumerate(due_dates(first_due_date, months)):
        interest = _interest(outstanding, annual_rate)
        is_last = index == months - 1
        # The last period clears what is left; min() guards tiny principals
        # where rounding would otherwise overpay before the end.
        part = outstanding if is_last else min(max(payment - interest, ZERO), outstanding)
        rows.append(_row(due, part, interest))
        outstanding -= part
    return rows


def equal_principal_schedule(
    principal: Decimal, annual_rate: Decimal, months: int, first_due_date: date
) -> list[ScheduleRow]:
    """等额本金 plan: equal principal each period, interest on the outstanding."""
    _check(principal, annual_rate, months)
    outstanding = to_cents(principal)
    part_each = to_cents(outstanding / months) if months else ZERO
    rows = []
    for index, due in enumerate(due_dates(first_due_date, months)):
        interest = _interest(outstanding, annual_rate)
        part = outstanding if index == months - 1 else min(part_each, outstanding)
        rows.append(_row(due, part, interest))
        outstanding -= part
    return rows


SCHEDULES = {
    EQUAL_INSTALLMENT: equal_installment_schedule,
    EQUAL_PRINCIPAL: equal_principal_schedule,
}


def schedule(
    method: str, principal: Decimal, annual_rate: Decimal, months: int, first_due_date: date
) -> list[ScheduleRow]:
    """Dispatch on the repayment method's code name."""
    return SCHEDULES[method](principal, annual_rate, months, first_due_date)
