"""The amortization engine: hand-checked examples and properties (no database)."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inquiry import amortization
from inquiry.amortization import (
    add_months,
    equal_installment_payment,
    equal_installment_schedule,
    equal_principal_schedule,
)

D = Decimal
METHODS = [equal_installment_schedule, equal_principal_schedule]


def test_equal_installment_payment_matches_the_published_example():
    # 300,000 at 3.25% over 20 years: the center's calculator says 1,701.59 a month.
    assert equal_installment_payment(D("300000"), D("0.0325"), 240) == D("1701.59")


def test_equal_installment_schedule_first_and_last_rows_hand_checked():
    rows = equal_installment_schedule(D("300000.00"), D("0.0325"), 240, date(2020, 9, 1))
    first = rows[0]
    # Interest 300000 × 0.0325 / 12 = 812.50; principal 1701.59 − 812.50.
    assert (first.period, first.due_date, first.principal, first.interest, first.total) == (
        "202009",
        date(2020, 9, 1),
        D("889.09"),
        D("812.50"),
        D("1701.59"),
    )
    second = rows[1]
    # Outstanding 299,110.91 × 0.0325 / 12 = 810.0920… → 810.09.
    assert (second.interest, second.principal) == (D("810.09"), D("891.50"))
    assert rows[-1].period == "204008"
    assert all(row.total == D("1701.59") for row in rows[:-1])
    # The last row takes the rounding left over: within a few cents of the payment.
    assert abs(rows[-1].total - D("1701.59")) < D("1.00")


def test_equal_principal_schedule_hand_checked():
    rows = equal_principal_schedule(D("120000.00"), D("0.0325"), 120, date(2015, 5, 20))
    assert (rows[0].principal, rows[0].interest, rows[0].total) == (D("1000.00"), D("325.00"), D("1325.00"))
    # 119,000 × 0.0325 / 12 = 322.2916… → 322.29
    assert (rows[1].principal, rows[1].interest, rows[1].total) == (D("1000.00"), D("322.29"), D("1322.29"))
    # 1,000 × 0.0325 / 12 = 2.7083… → 2.71
    assert (rows[-1].principal, rows[-1].interest) == (D("1000.00"), D("2.71"))
    assert rows[-1].due_date == date(2025, 4, 20)


def test_equal_principal_schedule_last_period_takes_the_rounding():
    rows = equal_principal_schedule(D("100000.00"), D("0.03"), 3, date(2025, 1, 10))
    assert [row.principal for row in rows] == [D("33333.33"), D("33333.33"), D("33333.34")]
    # Interest rounds half up: 33,333.34 × 0.0025 = 83.33335 → 83.33
    assert [row.interest for row in rows] == [D("250.00"), D("166.67"), D("83.33")]


def test_interest_rounds_half_up_not_to_even():
    # 1,002 × 0.03 / 12 = 2.505 exactly: half up gives 2.51 (banker's would give 2.50).
    rows = equal_principal_schedule(D("1002.00"), D("0.03"), 1, date(2025, 1, 1))
    assert rows[0].interest == D("2.51")


def test_due_dates_clamp_to_month_end_and_keep_the_day():
    rows = equal_principal_schedule(D("1200.00"), D("0.03"), 4, date(2024, 1, 31))
    assert [row.due_date for row in rows] == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ]
    assert [row.period for row in rows] == ["202401", "202402", "202403", "202404"]
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 3, 15), -3) == date(2024, 12, 15)


def test_schedule_dispatches_on_the_method_code():
    args = (D("50000.00"), D("0.0285"), 12, date(2026, 1, 5))
    assert amortization.schedule("equal_installment", *args) == equal_installment_schedule(*args)
    assert amortization.schedule("equal_principal", *args) == equal_principal_schedule(*args)


@pytest.mark.parametrize("method", METHODS)
def test_schedule_rejects_floats_and_negatives(method):
    with pytest.raises(TypeError):
        method(300000.0, D("0.03"), 12, date(2025, 1, 1))
    with pytest.raises(ValueError):
        method(D("-1"), D("0.03"), 12, date(2025, 1, 1))


principals = st.decimals(min_value=D("0.01"), max_value=D("5000000"), places=2)
rates = st.decimals(min_value=D("0"), max_value=D("0.2"), places=5)
months = st.integers(min_value=1, max_value=360)
first_dues = st.dates(min_value=date(1990, 1, 1), max_value=date(2080, 12, 31))


@settings(max_examples=150, deadline=None)
@given(principal=principals, annual_rate=rates, months=months, first_due=first_dues, method=st.sampled_from(METHODS))
def test_schedule_properties_hold_for_both_methods(principal, annual_rate, months, first_due, method):
    rows = method(principal, annual_rate, months, first_due)
    assert len(rows) == months
    # The principals add up exactly: the outstanding reaches exactly zero.
    assert sum((row.principal for row in rows), D("0")) == principal
    outstanding = principal
    for row in rows:
        assert row.total == row.principal + row.interest
        assert row.interest >= 0 and row.principal >= 0
        for amount in (row.principal, row.interest, row.total):
            assert amount.as_tuple().exponent == -2
        outstanding -= row.principal
        assert outstanding >= 0
        assert row.period == f"{row.due_date:%Y%m}"
    assert outstanding == 0
    dates = [row.due_date for row in rows]
    assert dates == sorted(dates) and len(set(row.period for row in rows)) == months
    assert dates[0] == first_due


@settings(max_examples=100, deadline=None)
@given(principal=principals, annual_rate=rates, months=months, first_due=first_dues)
def test_equal_installment_pays_the_same_every_month_but_the_last(principal, annual_rate, months, first_due):
    rows = equal_installment_schedule(principal, annual_rate, months, first_due)
    payment = equal_installment_payment(principal, annual_rate, months)
    # Each rounded payment may overpay by up to a cent of principal a month, and
    # each overpaid cent saves interest that compounds into more principal paid:
    # a cent a month grows to 0.01 * ((1 + r)^n - 1) / r over the term. Once a
    # payment is larger than that, only the last row may differ. (A guard of "a
    # yuan a month" let hypothesis find 332.00 over 325 months at 0.249%: 1.06 a
    # month, and the 324th row had only 0.94 left to pay.)
    monthly_rate = annual_rate / 12
    drift = D("0.01") * (((1 + monthly_rate) ** months - 1) / monthly_rate if monthly_rate else months)
    if payment > drift:
        assert all(row.total == payment for row in rows[:-1])


@settings(max_examples=100, deadline=None)
@given(principal=principals, annual_rate=rates, months=months, first_due=first_dues)
def test_equal_principal_interest_never_grows(principal, annual_rate, months, first_due):
    rows = equal_principal_schedule(principal, annual_rate, months, first_due)
    interests = [row.interest for row in rows]
    assert interests == sorted(interests, reverse=True)


@pytest.mark.parametrize("method", METHODS)
def test_schedule_interest_on_an_exact_half_cent_rounds_up(method):
    # 24.00 × 3.25% / 12 = 0.065 exactly: half up gives 0.07. (With the
    # monthly rate rounded to 28 digits first it came out 0.06499…9 → 0.06.)
    rows = method(D("24.00"), D("0.0325"), 2, date(2025, 1, 1))
    assert rows[0].interest == D("0.07")
