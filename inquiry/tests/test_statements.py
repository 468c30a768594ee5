"""年度对账单 figures (inquiry/statements.py) on hand-made ledgers."""

from datetime import date
from decimal import Decimal

from inquiry import statements
from inquiry.models import LedgerEntry
from inquiry.statements import Entry, Status, annual_statements

D = Decimal
Kind = LedgerEntry.Kind
TODAY = date(2026, 10, 31)


def ledger(*rows) -> list[Entry]:
    """Entries (day, kind, amount[, pending]) with the running balance filled in
    as the core keeps it: pending entries count in their own balance_after
    only (the portal's), never in the core's rows after them."""
    core, pending_sum, entries = D("0.00"), D("0.00"), []
    for day, kind, amount, *pending in rows:
        pending = bool(pending and pending[0])
        if pending:
            pending_sum += amount
        else:
            core += amount
        entries.append(Entry(day, kind, amount, core + pending_sum if pending else core, pending))
    return entries


def by_label(result):
    return {s.label: s for s in result}


def test_statements_kinds_are_the_ledgers():
    assert set(statements.KIND_FIGURES) == set(Kind.values)


def test_statements_split_years_on_30_june_and_1_july():
    entries = ledger(
        (date(2023, 6, 30), Kind.MONTHLY_DEPOSIT, D("100.00")),
        (date(2023, 6, 30), Kind.INTEREST, D("1.25")),  # 结息 on 30 June closes the year it is in
        (date(2023, 7, 1), Kind.MONTHLY_DEPOSIT, D("200.00")),
        (date(2024, 6, 30), Kind.INTEREST, D("3.10")),
    )
    years = annual_statements(entries, today=TODAY)
    assert [s.label for s in years] == [
        "2022-2023年度",
        "2023-2024年度",
        "2024-2025年度",
        "2025-2026年度",
        "2026-2027年度",
    ]
    first, second = years[0], years[1]
    assert (first.start, first.end) == (date(2022, 7, 1), date(2023, 6, 30))
    assert (first.opening, first.deposits, first.interest, first.closing) == (
        D("0.00"),
        D("100.00"),
        D("1.25"),
        D("101.25"),
    )
    assert (second.opening, second.deposits, second.interest, second.closing) == (
        D("101.25"),
        D("200.00"),
        D("3.10"),
        D("304.35"),
    )
    # No entries later: the balance is carried through, year after year.
    assert [(s.opening, s.closing, s.entry_count) for s in years[2:]] == [(D("304.35"), D("304.35"), 0)] * 3
    assert all(s.reconciled for s in years)
    assert [s.status for s in years] == [Status.ISSUED] * 4 + [Status.NOT_ENDED]


def test_statements_account_opened_mid_year_starts_from_zero():
    entries = ledger(
        (date(2020, 3, 15), Kind.TRANSFER_IN, D("12000.00")),
        (date(2020, 3, 15), Kind.MONTHLY_DEPOSIT, D("800.00")),
        (date(2020, 4, 15), Kind.MONTHLY_DEPOSIT, D("800.00")),
        (date(2020, 6, 30), Kind.INTEREST, D("45.67")),
    )
    first = annual_statements(entries, today=TODAY)[0]
    assert first.label == "2019-2020年度"
    assert first.opening == D("0.00")
    assert (first.transfers_in, first.deposits, first.interest) == (D("12000.00"), D("1600.00"), D("45.67"))
    assert first.closing == D("13645.67") and first.issued


def test_statements_withdrawals_and_transfers_out_shown_positive():
    entries = ledger(
        (date(2021, 8, 15), Kind.MONTHLY_DEPOSIT, D("5000.00")),
        (date(2021, 9, 20), Kind.BACK_PAYMENT, D("500.00")),
        (date(2021, 10, 1), Kind.WITHDRAWAL, D("-1200.00")),
        (date(2022, 5, 1), Kind.TRANSFER_OUT, D("-300.50")),
    )
    year = annual_statements(entries, today=TODAY)[0]
    assert (year.deposits, year.back_payments, year.withdrawals, year.transfers_out) == (
        D("5000.00"),
        D("500.00"),
        D("1200.00"),
        D("300.50"),
    )
    assert year.closing == D("3999.50") and year.difference == D("0.00") and year.issued


def test_statements_list_empty_years_between_and_stop_after_a_paid_out_account():
    entries = ledger(
        (date(2015, 9, 15), Kind.MONTHLY_DEPOSIT, D("1000.00")),
        (date(2016, 1, 10), Kind.WITHDRAWAL, D("-1000.00")),
        (date(2019, 2, 15), Kind.MONTHLY_DEPOSIT, D("700.00")),
        (date(2020, 5, 1), Kind.WITHDRAWAL, D("-700.00")),
    )
    years = by_label(annual_statements(entries, today=TODAY))
    # 2016-2019 hold nothing but lie between entries: listed, all zero.
    for label in ("2016-2017年度", "2017-2018年度"):
        assert (years[label].opening, years[label].closing, years[label].entry_count) == (D("0.00"), D("0.00"), 0)
        assert years[label].issued
    # Emptied in 2019-2020 and nothing since: no later statements.
    assert list(years)[-1] == "2019-2020年度"


def test_statements_broken_running_balance_is_not_reconciled_and_says_by_how_much():
    entries = ledger(
        (date(2022, 8, 15), Kind.MONTHLY_DEPOSIT, D("1000.00")),
        (date(2023, 6, 30), Kind.INTEREST, D("8.00")),
        (date(2023, 8, 15), Kind.MONTHLY_DEPOSIT, D("1000.00")),
    )
    # The core's 30 June balance is a cent off (1,008.00 expected).
    broken = [*entries[:1], Entry(date(2023, 6, 30), Kind.INTEREST, D("8.00"), D("1007.99")), entries[2]]
    first, second = annual_statements(broken, today=TODAY)[:2]
    assert not first.reconciled
    assert first.difference == D("-0.01")
    assert first.status == Status.NOT_RECONCILED and not first.issued
    assert first.status_label == "核对不符,暂不出具"
    # The next year opens from the ledger's balance (1,007.99) and its last row
    # (2,008.00) follows the true sum: off by the same cent the other way.
    assert (second.opening, second.closing, second.difference) == (D("1007.99"), D("2008.00"), D("0.01"))


def test_statements_a_kind_they_cannot_show_breaks_the_year():
    entries = [Entry(date(2022, 8, 15), "adjustment", D("10.00"), D("10.00"))]
    year = annual_statements(entries, today=TODAY)[0]
    assert year.difference == D("10.00") and year.status == Status.NOT_RECONCILED


def test_statements_leave_pending_entries_out_and_withhold_their_year():
    entries = ledger(
        (date(2023, 8, 15), Kind.MONTHLY_DEPOSIT, D("3000.00")),
        (date(2024, 6, 28), Kind.WITHDRAWAL, D("-1000.00"), True),  # approved, not booked by the core
        (date(2024, 6, 30), Kind.INTEREST, D("20.00")),
        (date(2024, 8, 15), Kind.MONTHLY_DEPOSIT, D("500.00")),
    )
    assert entries[1].balance_after == D("2000.00") and entries[2].balance_after == D("3020.00")
    pending_year, next_year = annual_statements(entries, today=TODAY)[:2]
    # The core's books: the pending withdrawal is in no figure.
    assert (pending_year.withdrawals, pending_year.closing) == (D("0.00"), D("3020.00"))
    assert pending_year.reconciled and pending_year.pending_count == 1
    assert pending_year.status == Status.PENDING and not pending_year.issued
    # The year after has no pending entry of its own and is issued.
    assert next_year.opening == D("3020.00") and next_year.closing == D("3520.00") and next_year.issued


def test_statements_current_year_is_not_issued_until_30_june_has_passed():
    entries = ledger((date(2025, 8, 15), Kind.MONTHLY_DEPOSIT, D("100.00")))
    (on_30_june,) = annual_statements(entries, today=date(2026, 6, 30))
    assert on_30_june.status == Status.NOT_ENDED
    first = annual_statements(entries, today=date(2026, 7, 1))[0]
    assert first.status == Status.ISSUED


def test_statements_an_ended_year_waits_for_the_books_past_its_30_june():
    # 结息 is booked on 30 June and arrives with a later batch of the core's books.
    entries = ledger((date(2025, 8, 15), Kind.MONTHLY_DEPOSIT, D("100.00")))
    waiting = annual_statements(entries, today=date(2026, 7, 3), books_through=date(2026, 6, 30))[0]
    assert waiting.ended and not waiting.books_closed
    assert waiting.status == Status.BOOKS_OPEN and waiting.status_label == "年度结算数据尚未全部到达,暂不出具"
    closed = annual_statements(entries, today=date(2026, 7, 3), books_through=date(2026, 7, 1))[0]
    assert closed.status == Status.ISSUED
    # No batch ever imported (the portal's own records): the date alone decides.
    assert annual_statements(entries, today=date(2026, 7, 3))[0].status == Status.ISSUED


def test_statements_empty_ledger_has_none():
    assert annual_statements([], today=TODAY) == []


def test_statements_take_tuples_in_entry_order():
    rows = [(date(2022, 8, 15), "deposit", D("10.00"), D("10.00"), False)]
    assert annual_statements(rows, today=TODAY) == annual_statements([Entry(*rows[0])], today=TODAY)
