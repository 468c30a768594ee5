"""汇缴年月 (a month as YYYYMM, the records' `period`) in the words members read (pure, no Django)."""


def format_period(period: str) -> str:
    """`"202611"` -> `"2026年11月"`, `"202608"` -> `"2026年8月"`. Anything
    that is not a YYYYMM month is returned as it is, never guessed at."""
    if len(period) != 6 or not period.isdigit() or not 1 <= int(period[4:]) <= 12:
        return period
    return f"{period[:4]}年{int(period[4:])}月"
