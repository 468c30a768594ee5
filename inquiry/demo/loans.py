"""Demo loan contracts: progress nodes, repayments that follow the amortization
schedule, and what the core system keeps for the plan (remaining months,
next due date)."""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from inquiry import amortization
from inquiry.demo.specs import LoanSpec, RepaymentSpec, StepSpec
from inquiry.models import LoanProgressName, LoanProgressStep, LoanStatus, RepaymentMethod
from zzgjj_portal.money import to_cents

State = LoanProgressStep.State

PROGRESS_STEPS = list(LoanProgressName)
# Provident fund loan rates: on 2024-05-18 the rates of new loans were lowered
# (by 0.25 points, as the People's Bank of China announced for first homes).
# The demo uses one rate before that day and one after, for terms over five
# years and up to five years, so both cases show in the data.
RATE_CHANGED_ON = date(2024, 5, 18)
RATE_OVER_5_YEARS_BEFORE, RATE_OVER_5_YEARS_AFTER = Decimal("0.0325"), Decimal("0.0285")
RATE_UP_TO_5_YEARS_BEFORE, RATE_UP_TO_5_YEARS_AFTER = Decimal("0.0275"), Decimal("0.0235")
SHORT_TERM_MONTHS = 60


def rate_for(applied_on: date, term: int) -> Decimal:
    """The annual rate of a loan applied for on `applied_on` over `term` months."""
    before = applied_on < RATE_CHANGED_ON
    if term <= SHORT_TERM_MONTHS:
        return RATE_UP_TO_5_YEARS_BEFORE if before else RATE_UP_TO_5_YEARS_AFTER
    return RATE_OVER_5_YEARS_BEFORE if before else RATE_OVER_5_YEARS_AFTER


# A demo loan is paid out this long after it was applied for.
DISBURSED_AFTER = timedelta(days=30)


def has_periods_left(applied_on: date, term: int, as_of: date) -> bool:
    """Whether a loan of `term` months applied for on `applied_on` still has
    a payment due after `as_of` (its last one falls later)."""
    first_due = amortization.add_months(applied_on + DISBURSED_AFTER, 1)
    return amortization.add_months(first_due, term - 1) > as_of


def at(day: date, hour: int) -> datetime:
    """A naive local time; the writers make it aware in Asia/Shanghai."""
    return datetime.combine(day, time(hour % 24, 30))


def aware(value: datetime | None) -> datetime | None:
    """A naive demo time as local time (Asia/Shanghai)."""
    return timezone.make_aware(value) if value is not None else None


def build_loan(
    rng: random.Random,
    *,
    contract_no: str,
    applied_on: date,
    status: LoanStatus,
    method: RepaymentMethod,
    amount: Decimal,
    term: int,
    as_of: date,
) -> LoanSpec:
    """A contract in `status` as of `as_of`: a loan not yet disbursed stops at
    a current (green) progress node; a settled one was paid off early."""
    rate = rate_for(applied_on, term)
    if status == LoanStatus.NOT_DISBURSED:
        done = rng.randrange(1, len(PROGRESS_STEPS) - 1)
        steps = []
        for order, name in enumerate(PROGRESS_STEPS, start=1):
            if order <= done:
                steps.append(
                    StepSpec(order, name, State.DONE, at(applied_on + timedelta(days=3 * (order - 1)), 9 + order))
                )
            else:
                steps.append(StepSpec(order, name, State.CURRENT if order == done + 1 else State.PENDING, None))
        return LoanSpec(contract_no, amount, term, rate, method, applied_on, None, status, Decimal("0.00"), None, steps)

    disbursed_on = applied_on + DISBURSED_AFTER
    steps = [
        StepSpec(order, name, State.DONE, at(applied_on + timedelta(days=6 * (order - 1)), 9 + order))
        for order, name in enumerate(PROGRESS_STEPS, start=1)
    ]
    steps[-1].handled_at = at(disbursed_on, 15)
    first_due = amortization.add_months(disbursed_on, 1)
    plan = amortization.schedule(method, amount, rate, term, first_due)
    repayments: list[RepaymentSpec] = []
    outstanding, principal_sum, interest_sum = amount, Decimal("0.00"), Decimal("0.00")
    paid_rows = [row for row in plan if row.due_date <= as_of]
    if status != LoanStatus.SETTLED and len(paid_rows) == len(plan):
        # The books never hold a 正常 contract with nothing left: it would be 结清.
        raise ValueError(f"{contract_no}: every payment is due by {as_of}, a running loan must have some left")
    payoff_at = None
    if status == LoanStatus.SETTLED:
        # Settled early: some regular payments, then the rest paid off at once.
        payoff_at = min(len(paid_rows) - 1, rng.randrange(24, max(25, len(paid_rows) - 12)))
        paid_rows = paid_rows[:payoff_at]
    for row in paid_rows:
        outstanding -= row.principal
        principal_sum += row.principal
        interest_sum += row.interest
        repayments.append(
            RepaymentSpec(row.due_date, row.principal, row.interest, principal_sum, interest_sum, outstanding)
        )
    monthly_payment = plan[0].total
    if status == LoanStatus.SETTLED:
        day = plan[payoff_at].due_date
        interest = to_cents(outstanding * rate / 12)
        principal_sum += outstanding
        interest_sum += interest
        repayments.append(RepaymentSpec(day, outstanding, interest, principal_sum, interest_sum, Decimal("0.00")))
        outstanding = Decimal("0.00")
    elif method == RepaymentMethod.EQUAL_PRINCIPAL and len(paid_rows) < len(plan):
        # 等额本金 payments shrink: show the one due next.
        monthly_payment = plan[len(paid_rows)].total
    remaining_months, next_due_on = 0, None
    if status != LoanStatus.SETTLED and len(paid_rows) < len(plan):
        remaining_months, next_due_on = len(plan) - len(paid_rows), plan[len(paid_rows)].due_date
    return LoanSpec(
        contract_no,
        amount,
        term,
        rate,
        method,
        applied_on,
        disbursed_on,
        status,
        outstanding,
        monthly_payment,
        steps,
        repayments,
        remaining_months,
        next_due_on,
    )
