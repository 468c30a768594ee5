"""Demo ledgers: monthly deposits at the member's rates, back payments,
withdrawals, transfers in, and the yearly interest settlement (结息)."""

import random
from datetime import date, timedelta
from decimal import Decimal

from inquiry import amortization
from inquiry.demo.specs import EntrySpec, MemberSpec
from inquiry.models import LedgerEntry, WithdrawalReason
from zzgjj_portal.money import to_cents

Kind = LedgerEntry.Kind

# Provident fund deposits earn 1.5% a year, current and carried-over alike:
# the rate set nationally on 2016-02-21 (the one-year time deposit rate), used
# for the whole demo history so the figures stay simple to check.
INTEREST_RATE = Decimal("0.015")
# Interest is settled once a year on June 30 over the daily balances (积数),
# counted on a 360-day year as the center's books do.
INTEREST_DAYS_A_YEAR = 360
# The deposit base is adjusted every July; going back, each year's base is
# about 5% below the next one's.
BASE_YEARLY_FACTOR = Decimal("0.95")
# A withdrawal's 提取原因 (the records' code) and the 摘要 the core system writes with it.
WITHDRAWALS = [
    (WithdrawalReason.PURCHASE, "购买自住住房提取"),
    (WithdrawalReason.LOAN_REPAYMENT, "偿还购房贷款本息提取"),
    (WithdrawalReason.RENT, "租赁自住住房提取"),
    (WithdrawalReason.BUILD, "建造翻建大修自住住房提取"),
]
# 销户提取 after leaving the employer: not one of A.7's named reasons.
CLOSING_WITHDRAWAL = (WithdrawalReason.OTHER, "销户提取")


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_between(start: date, end: date) -> list[date]:
    """First days of every month from start's month to end's month inclusive."""
    months, current = [], month_start(start)
    while current <= end:
        months.append(current)
        current = amortization.add_months(current, 1, 1)
    return months


def monthly_deposit(base: Decimal, employer_rate: Decimal, personal_rate: Decimal) -> Decimal:
    """月缴存额: each half rounded to the cent on its own, then added."""
    return to_cents(base * employer_rate) + to_cents(base * personal_rate)


def base_for(month: date, base_now: Decimal, as_of: date) -> Decimal:
    """The deposit base in force in `month` (adjusted every July)."""
    adjust_year = month.year if month.month >= 7 else month.year - 1
    current_year = as_of.year if as_of.month >= 7 else as_of.year - 1
    years_back = current_year - adjust_year
    return (base_now * BASE_YEARLY_FACTOR**years_back).quantize(Decimal("1"))


def post_ledger(entries: list[EntrySpec]) -> list[EntrySpec]:
    """Sort by date and insert June 30 interest settlements on daily balances,
    filling in each entry's running balance."""
    entries = sorted(entries, key=lambda e: (e.booked_on, e.kind != Kind.INTEREST))
    if not entries:
        return []
    posted: list[EntrySpec] = []
    balance = Decimal("0.00")
    product = Decimal("0")  # 积数: sum of day-end balances since the last settlement
    last_day = entries[0].booked_on
    final_day = entries[-1].booked_on

    def settle_until(day: date) -> None:
        nonlocal balance, product, last_day
        while True:
            june30 = date(last_day.year if last_day <= date(last_day.year, 6, 30) else last_day.year + 1, 6, 30)
            if june30 >= day:
                return
            product += balance * ((june30 - last_day).days + 1)
            interest = to_cents(product * INTEREST_RATE / INTEREST_DAYS_A_YEAR)
            if interest > 0:
                balance += interest
                posted.append(
                    EntrySpec(june30, Kind.INTEREST, interest, summary=f"{june30.year}年度结息", balance_after=balance)
                )
            product = Decimal("0")
            last_day = june30 + timedelta(days=1)

    for entry in entries:
        settle_until(entry.booked_on)
        product += balance * (entry.booked_on - last_day).days
        last_day = entry.booked_on
        balance += entry.amount
        entry.balance_after = balance
        posted.append(entry)
    settle_until(final_day)
    return posted


def build_ledger(
    rng: random.Random,
    spec: MemberSpec,
    as_of: date,
    stop_on: date,
    withdraws: bool,
    back_pays: bool,
    transfer_in: bool,
) -> list[EntrySpec]:
    """The account's entries from its opening to `stop_on` (deposits stop
    there: sealed or closed), posted with interest and running balances."""
    entries: list[EntrySpec] = []
    if transfer_in:
        amount = to_cents(Decimal(rng.randrange(5000, 30000)))
        entries.append(EntrySpec(spec.opened_on, Kind.TRANSFER_IN, amount, summary="异地转入"))
    months = months_between(spec.opened_on, min(as_of, stop_on))
    skipped: set[int] = set()
    if back_pays and len(months) > 6:
        skipped = {rng.randrange(1, len(months) - 3)}
    for index, month in enumerate(months):
        base = base_for(month, spec.deposit_base, as_of)
        amount = monthly_deposit(base, spec.employer_rate, spec.personal_rate)
        booked = month.replace(day=15)
        if booked > as_of or booked < spec.opened_on:
            continue
        if index in skipped:
            # The employer missed this month and paid it two months later.
            later = amortization.add_months(month, 2, 20)
            if later <= as_of:
                entries.append(EntrySpec(later, Kind.BACK_PAYMENT, amount, period=f"{month:%Y%m}", summary="单位补缴"))
            continue
        entries.append(EntrySpec(booked, Kind.MONTHLY_DEPOSIT, amount, period=f"{month:%Y%m}", summary="单位汇缴"))
    entries = post_ledger(entries)
    if withdraws and len(months) > 36:
        # One withdrawal a few years in, of a round part of the balance then.
        pick = entries[rng.randrange(len(entries) // 3, len(entries) - 6)]
        day = pick.booked_on + timedelta(days=10)
        balance_then = sum((e.amount for e in entries if e.booked_on <= day), Decimal("0"))
        amount = (balance_then * Decimal(rng.randrange(30, 80)) / 100).quantize(Decimal("100"))
        if amount > 0:
            reason, summary = rng.choice(WITHDRAWALS)
            entries = [e for e in entries if e.kind != Kind.INTEREST]
            entries.append(EntrySpec(day, Kind.WITHDRAWAL, -amount, summary=summary, withdrawal_reason=reason))
            entries = post_ledger(entries)
    return entries


def close_account(spec: MemberSpec, *, stop_on: date, as_of: date) -> None:
    """提取销户: two months after deposits stop, everything is withdrawn."""
    if not spec.entries:
        return
    day = min(as_of, amortization.add_months(stop_on, 2, 10))
    reason, summary = CLOSING_WITHDRAWAL
    spec.entries.append(EntrySpec(day, Kind.WITHDRAWAL, -spec.balance, summary=summary, withdrawal_reason=reason))
    spec.entries = post_ledger([e for e in spec.entries if e.kind != Kind.INTEREST])
    # Settlements after the closing withdrawal would be on a zero balance.
    spec.entries = [e for e in spec.entries if not (e.kind == Kind.INTEREST and e.booked_on > day)]
