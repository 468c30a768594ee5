"""Money helpers: Decimal only, rounded half up to the cent (pure, no Django)."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_cents(value: Decimal | int | str) -> Decimal:
    """Round to the cent, half up, as the center's books do (never banker's rounding)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(value: Decimal | int | str | None) -> str:
    """`1234.5` -> `1,234.50`. Django's zh-hans locale has no thousands separator,
    so this is done here rather than with floatformat/intcomma."""
    if value is None or value == "":
        return ""
    amount = to_cents(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,.2f}"


def format_rate(value: Decimal | None) -> str:
    """A fraction as a percentage: `Decimal("0.0325")` -> `3.25%`."""
    if value is None:
        return ""
    percent = (Decimal(value) * 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{percent.normalize():f}%" if percent == percent.to_integral() else f"{percent}%"
