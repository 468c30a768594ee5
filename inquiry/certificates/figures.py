"""Figures a certificate states that are computed, not read (pure, no Django)."""


def _previous(period: str) -> str:
    year, month = int(period[:4]), int(period[4:])
    return f"{year - 1}12" if month == 1 else f"{year}{month - 1:02d}"


def consecutive_months(periods: set[str], *, through: str) -> int:
    """连续缴存月数: the months in a row, ending at 缴至年月 `through`
    (YYYYMM), that have a 汇缴 or 补缴 (`periods`, YYYYMM). 0 when `through`
    is empty or itself has none. A gap ends the count: months paid before a
    break in deposits do not count as continuous."""
    if len(through) != 6 or not through.isdigit():
        return 0
    count, period = 0, through
    while period in periods:
        count += 1
        period = _previous(period)
    return count
