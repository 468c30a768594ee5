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


# 提前还款试算 (prepayment trial). The modes' codes, used by the trial form too.
PREPAY_SHORTEN = "shorten"  # 部分提前还本, 月供不变、期限缩短
PREPAY_REDUCE = "reduce"  # 部分提前还本, 期限不变、月供减少
PREPAY_SETTLE = "settle"  # 提前结清
PREPAY_MODES = (PREPAY_SHORTEN, PREPAY_REDUCE, PREPAY_SETTLE)


@dataclass(frozen=True)
class PrepaymentTrial:
    """What a prepayment would change: the current plan and the new one, both
    from the next due date, and the interest they charge (exact Decimals)."""

    mode: str
    amount: Decimal  # 提前还款金额 (提前结清: the whole outstanding principal)
    principal_after: Decimal  # 剩余本金 after the prepayment
    months_before: int
    months_after: int  # 0 when settled
    payment_before: Decimal  # the current plan's first period 应还本息
    payment_after: Decimal  # the new plan's first period 应还本息 (0 when settled)
    rows: tuple[ScheduleRow, ...]  # the whole new plan (empty when settled)
    interest_before: Decimal
    interest_after: Decimal

    @property
    def interest_saved(self) -> Decimal:
        """节省利息."""
        return self.interest_before - self.interest_after


def shortened_months(method: str, principal: Decimal, annual_rate: Decimal, months: int, new_principal: Decimal) -> int:
    """月供不变、期限缩短: the new term of `new_principal` (< principal) that keeps
    the current plan's monthly payment, never longer than the current term.

    等额本息: the fewest months whose annuity payment for the reduced principal
    does not exceed the current one (the payment falls as the term grows, so
    a binary search; at the current term it is at most the current payment,
    because the principal is smaller). 等额本金: the monthly principal part is
    kept, so the term is ceil(new principal / part); capped at the current
    term, since the current part is rounded to the cent (a part rounded down
    could otherwise ask one month more), and the current term when the part
    rounds to 0.00 (a tiny balance over many months: all of it falls due last).
    """
    _check(principal, annual_rate, months)
    _check(new_principal, annual_rate, months)
    if months == 0 or new_principal == 0:
        return 0
    if method == EQUAL_INSTALLMENT:
        target = equal_installment_payment(principal, annual_rate, months)
        low, high = 1, months
        while low < high:
            middle = (low + high) // 2
            if equal_installment_payment(new_principal, annual_rate, middle) <= target:
                high = middle
            else:
                low = middle + 1
        return low
    if method == EQUAL_PRINCIPAL:
        part = to_cents(to_cents(principal) / months)
        if part == 0:
            return months
        whole, rest = divmod(to_cents(new_principal), part)
        return min(int(whole) + (1 if rest else 0), months)
    raise KeyError(method)


def prepayment_trial(
    method: str,
    principal: Decimal,
    annual_rate: Decimal,
    months: int,
    first_due_date: date,
    *,
    mode: str,
    amount: Decimal | None = None,
) -> PrepaymentTrial:
    """提前还款试算 for a contract whose plan is `schedule(method, principal,
    annual_rate, months, first_due_date)` (what `selectors.loan_plan` shows).

    The prepayment is taken as paid before the next due date: the new plan is
    the engine's plan of the reduced principal from that same date, so the
    first period's interest is charged on the reduced principal. That is what
    the plan page would show once the core system books it (it recomputes
    from the outstanding principal and remaining months). Interest accrued
    since the last due date is not part of the trial (settled at the counter).

    Partial modes need 0 < amount < principal with at most two decimals
    (ValueError otherwise: the form says so first); 提前结清 takes the whole
    principal, `amount` is ignored.
    """
    _check(principal, annual_rate, months)
    principal = to_cents(principal)
    current = schedule(method, principal, annual_rate, months, first_due_date)
    interest_before = sum((row.interest for row in current), ZERO)
    payment_before = current[0].total if current else ZERO
    if mode == PREPAY_SETTLE:
        amount, new_principal, new_months, rows = principal, ZERO, 0, []
    elif mode in (PREPAY_SHORTEN, PREPAY_REDUCE):
        if not isinstance(amount, Decimal):
            raise TypeError("amount must be Decimal")
        if not (0 < amount < principal) or amount != to_cents(amount):
            raise ValueError("a partial prepayment is more than 0, less than the principal, in cents")
        new_principal = principal - amount
        if mode == PREPAY_SHORTEN:
            new_months = shortened_months(method, principal, annual_rate, months, new_principal)
        else:
            new_months = months
        rows = schedule(method, new_principal, annual_rate, new_months, first_due_date)
    else:
        raise ValueError(f"unknown prepayment mode {mode!r}")
    return PrepaymentTrial(
        mode=mode,
        amount=amount,
        principal_after=new_principal,
        months_before=months,
        months_after=new_months,
        payment_before=payment_before,
        payment_after=rows[0].total if rows else ZERO,
        rows=tuple(rows),
        interest_before=interest_before,
        interest_after=sum((row.interest for row in rows), ZERO),
    )
