"""提前还款试算 (amortization.prepayment_trial) against an exact reference.

The reference below is written independently of the engine: exact fractions,
each period's interest and the annuity payment rounded half up to the cent,
the same plan rules (the last period clears the rest), and the new term found
by counting up month by month rather than by the engine's binary search.
"""

from datetime import date
from decimal import Decimal
from fractions import Fraction
from math import ceil, floor

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from inquiry import amortization
from inquiry.amortization import (
    EQUAL_INSTALLMENT,
    EQUAL_PRINCIPAL,
    PREPAY_REDUCE,
    PREPAY_SETTLE,
    PREPAY_SHORTEN,
    prepayment_trial,
    shortened_months,
)

D = Decimal
F = Fraction
METHODS = [EQUAL_INSTALLMENT, EQUAL_PRINCIPAL]


# --- the exact reference ---------------------------------------------------


def half_up(value: Fraction) -> Fraction:
    """To the cent, half up (values here are never negative)."""
    assert value >= 0
    return F(floor(value * 100 + F(1, 2)), 100)


def ref_payment(principal: Fraction, annual_rate: Fraction, months: int) -> Fraction:
    rate = annual_rate / 12
    if rate == 0:
        return half_up(principal / months)
    growth = (1 + rate) ** months
    return half_up(principal * rate * growth / (growth - 1))


def ref_plan(method: str, principal: Fraction, annual_rate: Fraction, months: int) -> list[tuple[Fraction, Fraction]]:
    """(principal, interest) of each period."""
    rate = annual_rate / 12
    outstanding = principal
    payment = ref_payment(principal, annual_rate, months) if months else F(0)
    part_each = half_up(principal / months) if months else F(0)
    rows = []
    for index in range(months):
        interest = half_up(outstanding * rate)
        if index == months - 1:
            part = outstanding
        elif method == EQUAL_INSTALLMENT:
            part = min(max(payment - interest, F(0)), outstanding)
        else:
            part = min(part_each, outstanding)
        rows.append((part, interest))
        outstanding -= part
    return rows


def ref_shortened(method: str, principal: Fraction, annual_rate: Fraction, months: int, new: Fraction) -> int:
    if method == EQUAL_INSTALLMENT:
        target = ref_payment(principal, annual_rate, months)
        return next(n for n in range(1, months + 1) if ref_payment(new, annual_rate, n) <= target)
    part = half_up(principal / months)
    return months if part == 0 else min(ceil(new / part), months)


def assert_plan_matches(rows, expected):
    assert [(F(row.principal), F(row.interest)) for row in rows] == expected
    for row in rows:
        assert row.total == row.principal + row.interest
        assert row.principal.as_tuple().exponent == -2 and row.interest.as_tuple().exponent == -2


# --- properties ----------------------------------------------------------------

contracts = st.fixed_dictionaries(
    {
        "method": st.sampled_from(METHODS),
        # At least 0.02: a partial prepayment needs a cent to pay and a cent to keep.
        "cents": st.integers(min_value=2, max_value=200_000_000),
        "rate": st.integers(min_value=0, max_value=19_999).map(lambda n: D(n).scaleb(-5)),
        "months": st.integers(min_value=1, max_value=360),
    }
)


@settings(max_examples=120, deadline=None)
@given(
    contract=contracts, share=st.floats(min_value=0, max_value=1), mode=st.sampled_from([PREPAY_SHORTEN, PREPAY_REDUCE])
)
@example(
    contract={"method": EQUAL_PRINCIPAL, "cents": 100, "rate": D("0.04"), "months": 300}, share=0.5, mode=PREPAY_SHORTEN
)
@example(
    contract={"method": EQUAL_INSTALLMENT, "cents": 150, "rate": D("0.04"), "months": 2}, share=0.0, mode=PREPAY_REDUCE
)
def test_partial_prepayment_matches_the_exact_reference(contract, share, mode):
    method, months, rate = contract["method"], contract["months"], contract["rate"]
    cents = contract["cents"]
    amount_cents = min(max(1, round(cents * share)), cents - 1)
    principal, amount = D(cents).scaleb(-2), D(amount_cents).scaleb(-2)
    trial = prepayment_trial(method, principal, rate, months, date(2025, 3, 31), mode=mode, amount=amount)

    new = F(cents - amount_cents, 100)
    exact_rate = F(rate)
    expected_months = months if mode == PREPAY_REDUCE else ref_shortened(method, F(cents, 100), exact_rate, months, new)
    before = ref_plan(method, F(cents, 100), exact_rate, months)
    after = ref_plan(method, new, exact_rate, expected_months)
    assert trial.months_after == len(trial.rows) == expected_months
    assert_plan_matches(trial.rows, after)
    assert F(trial.principal_after) == new == sum(part for part, _ in after)
    assert F(trial.interest_before) == sum(interest for _, interest in before)
    assert F(trial.interest_after) == sum(interest for _, interest in after)
    assert trial.interest_saved == trial.interest_before - trial.interest_after
    assert F(trial.payment_before) == sum(before[0])
    assert F(trial.payment_after) == sum(after[0])
    # The trial's current plan is the plan page's.
    assert trial.months_before == months
    if mode == PREPAY_SHORTEN:
        assert 1 <= trial.months_after <= months
        if method == EQUAL_INSTALLMENT:
            # The payment is kept (never more), and one month fewer would need more.
            payment = amortization.equal_installment_payment
            assert payment(trial.principal_after, rate, trial.months_after) <= payment(principal, rate, months)
            if trial.months_after > 1:
                assert payment(trial.principal_after, rate, trial.months_after - 1) > payment(principal, rate, months)


@settings(max_examples=60, deadline=None)
@given(contract=contracts)
def test_settling_saves_all_the_remaining_interest(contract):
    method, months, rate = contract["method"], contract["months"], contract["rate"]
    principal = D(contract["cents"]).scaleb(-2)
    trial = prepayment_trial(method, principal, rate, months, date(2025, 1, 15), mode=PREPAY_SETTLE)
    before = ref_plan(method, F(contract["cents"], 100), F(rate), months)
    assert trial.amount == principal and trial.principal_after == 0
    assert trial.rows == () and trial.months_after == 0 and trial.payment_after == 0
    assert F(trial.interest_before) == sum(interest for _, interest in before)
    assert trial.interest_after == 0 and trial.interest_saved == trial.interest_before


# --- hand-checked examples and refusals ------------------------------------


def test_prepayment_trial_hand_checked_example():
    # 300,000 at 3.25% over 240 months pays 1,701.59 a month; 50,000 prepaid:
    # 250,000 over 240 months pays 1,417.99, or keeps ≤1,701.59 over 188 months.
    args = (EQUAL_INSTALLMENT, D("300000.00"), D("0.0325"), 240, date(2025, 1, 1))
    reduce = prepayment_trial(*args, mode=PREPAY_REDUCE, amount=D("50000"))
    assert (reduce.months_after, reduce.payment_after) == (240, D("1417.99"))
    shorten = prepayment_trial(*args, mode=PREPAY_SHORTEN, amount=D("50000"))
    assert shorten.months_after == 188 and shorten.payment_after <= D("1701.59")
    assert shorten.interest_saved > reduce.interest_saved > 0
    # 等额本金 keeps 1,250.00 of principal a month: 250,000 / 1,250 = 200 months.
    principal_args = (EQUAL_PRINCIPAL, *args[1:])
    assert prepayment_trial(*principal_args, mode=PREPAY_SHORTEN, amount=D("50000")).months_after == 200


def test_prepayment_trial_new_plan_starts_at_the_next_due_date():
    trial = prepayment_trial(
        EQUAL_PRINCIPAL, D("12000.00"), D("0.03"), 12, date(2025, 1, 31), mode=PREPAY_REDUCE, amount=D("6000")
    )
    assert [row.due_date for row in trial.rows[:2]] == [date(2025, 1, 31), date(2025, 2, 28)]
    assert trial.rows[0].principal == D("500.00")


@pytest.mark.parametrize("amount", [D("0"), D("-1"), D("300000.00"), D("300000.01"), D("1.005")])
@pytest.mark.parametrize("mode", [PREPAY_SHORTEN, PREPAY_REDUCE])
def test_partial_prepayment_refuses_amounts_out_of_range(mode, amount):
    with pytest.raises(ValueError):
        prepayment_trial(EQUAL_INSTALLMENT, D("300000.00"), D("0.03"), 12, date(2025, 1, 1), mode=mode, amount=amount)


def test_prepayment_trial_refuses_floats_and_unknown_modes():
    args = (EQUAL_INSTALLMENT, D("1000.00"), D("0.03"), 12, date(2025, 1, 1))
    with pytest.raises(TypeError):
        prepayment_trial(*args, mode=PREPAY_REDUCE, amount=100.0)
    with pytest.raises(ValueError):
        prepayment_trial(*args, mode="later", amount=D("100"))
    with pytest.raises(KeyError):
        shortened_months("bullet", D("1000.00"), D("0.03"), 12, D("500.00"))
