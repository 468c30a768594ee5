"""Money, masking and identity helpers (no database)."""

from decimal import Decimal

import pytest

from zzgjj_portal.identity import is_phone
from zzgjj_portal.masking import mask_id_number, mask_phone
from zzgjj_portal.money import format_money, format_rate, to_cents
from zzgjj_portal.periods import format_period


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1234.5", "1,234.50"), ("0", "0.00"), ("-1234567.891", "-1,234,567.89"), ("0.005", "0.01"), ("2.675", "2.68")],
)
def test_format_money_thousands_and_half_up(value, expected):
    assert format_money(Decimal(value)) == expected


def test_to_cents_rounds_half_up_not_bankers():
    assert to_cents(Decimal("0.125")) == Decimal("0.13")
    assert to_cents(Decimal("0.135")) == Decimal("0.14")


def test_format_rate_as_percent():
    assert format_rate(Decimal("0.12")) == "12%"
    assert format_rate(Decimal("0.0325")) == "3.25%"


def test_masking_keeps_only_edges():
    assert mask_id_number("370402199001011238") == "370402********1238"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""


def test_is_phone_mainland_mobile_only():
    assert is_phone("13812345678")
    assert not is_phone("12812345678")
    assert not is_phone("1381234567")


@pytest.mark.parametrize(
    ("period", "expected"),
    [("202611", "2026年11月"), ("202608", "2026年8月"), ("202613", "202613"), ("2026-1", "2026-1"), ("", "")],
)
def test_format_period_as_members_read_a_month(period, expected):
    assert format_period(period) == expected
