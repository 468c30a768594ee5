"""The demo records as interchange rows (inquiry/demo/interchange.py): every
row fits the schema, every code maps back onto what the spec said."""

from datetime import date
from decimal import Decimal

import pytest

from inquiry.demo import build_members
from inquiry.demo import interchange as rows
from inquiry.demo.specs import EntrySpec, MemberSpec
from inquiry.interchange import mapping, schema
from inquiry.models import AccountStatus, LedgerEntry, LoanStatus

AS_OF = date(2026, 10, 31)
Kind = LedgerEntry.Kind


@pytest.fixture(scope="module")
def specs():
    return build_members(AS_OF, count=60)


@pytest.fixture(scope="module")
def tables(specs):
    return rows.batch_tables(specs)


def test_demo_rows_use_only_schema_columns_and_fill_the_required_ones(tables):
    for name, table_rows in tables.items():
        table = schema.BY_NAME[name]
        required = {c.name for c in table.columns if c.required}
        assert table_rows, name
        for row in table_rows:
            assert set(row) <= set(table.column_names), (name, set(row) - set(table.column_names))
            missing = {c for c in required if row.get(c) in (None, "")}
            assert not missing, (name, missing)


def test_demo_rows_codes_are_in_their_code_lists(tables):
    for name, table_rows in tables.items():
        for column in schema.BY_NAME[name].columns:
            if column.type != schema.CODE:
                continue
            allowed = mapping.CODE_LISTS[column.codes]
            for row in table_rows:
                if row.get(column.name) is not None:
                    assert row[column.name] in allowed, (name, column.name, row[column.name])


def test_demo_ledger_rows_map_back_onto_the_entry_kind_and_sign(specs, tables):
    by_serial = {row["YWLSH"]: row for row in tables["GRMX"]}
    for spec in specs:
        for number, entry in enumerate(spec.entries, start=1):
            row = by_serial[rows.ledger_serial_no(spec.account_no, number)]
            kind, sign = mapping.LEDGER_KINDS[row["GJHTQYWLX"]]
            assert kind == entry.kind
            assert sign * row["FSE"] == entry.amount
            assert row["FSE"] > 0
            assert (row["JZRQ"], row["HJNY"] or "", row["ZY"] or "") == (entry.booked_on, entry.period, entry.summary)
            assert (row["TQYY"] or "") == entry.withdrawal_reason
            if row["GJHTQYWLX"] in mapping.LEDGER_WITHDRAWALS:
                assert row["TQYY"], row["YWLSH"]


def test_demo_ledger_serial_numbers_are_unique_and_follow_booking_order(specs, tables):
    serials = [row["YWLSH"] for row in tables["GRMX"]]
    assert len(serials) == len(set(serials)) == sum(len(s.entries) for s in specs)
    repayments = [row["YWLSH"] for row in tables["DKMX"]]
    assert len(repayments) == len(set(repayments))
    assert not set(serials) & set(repayments)


def test_demo_closed_account_is_emptied_by_a_closing_withdrawal(specs, tables):
    closed = [s for s in specs if s.status == AccountStatus.CLOSED_WITHDRAWN]
    assert closed
    accounts = {row["GRZH"]: row for row in tables["GRZHXX"]}
    for spec in closed:
        mine = [row for row in tables["GRMX"] if row["GRZH"] == spec.account_no]
        (closing,) = [row for row in mine if row["GJHTQYWLX"] == rows.CLOSING_WITHDRAWAL_CODE]
        assert accounts[spec.account_no]["GRZHYE"] == 0
        assert accounts[spec.account_no]["XHRQ"] == closing["JZRQ"]
        assert accounts[spec.account_no]["XHYY"] == closing["TQYY"]
    # Withdrawals from open accounts are partial (11), never 12.
    open_accounts = {s.account_no for s in specs if s.status not in (AccountStatus.CLOSED_WITHDRAWN,)}
    assert all(row["GJHTQYWLX"] != "12" for row in tables["GRMX"] if row["GRZH"] in open_accounts)


def test_demo_account_row_rounds_each_half_up_and_pays_through_the_last_deposit():
    spec = MemberSpec(
        "测试", "370402199001011238", "", False, "101000000099", "2010000001",
        Decimal("3333.30"), Decimal("0.05"), Decimal("0.12"), date(2020, 1, 1), AccountStatus.NORMAL,
    )  # fmt: skip
    ten, twenty, fifteen = Decimal("10"), Decimal("20"), Decimal("15")
    spec.entries = [
        EntrySpec(date(2026, 9, 15), Kind.MONTHLY_DEPOSIT, ten, period="202609", balance_after=ten),
        EntrySpec(date(2026, 10, 20), Kind.BACK_PAYMENT, ten, period="202608", balance_after=twenty),
        EntrySpec(date(2026, 10, 25), Kind.WITHDRAWAL, -Decimal("5"), withdrawal_reason="07", balance_after=fifteen),
    ]
    row = rows.account_row(spec)
    # 3333.30 × 0.05 = 166.665: half up to 166.67 (banker's rounding would give 166.66).
    assert row["DWYJCE"] == Decimal("166.67")
    assert row["GRYJCE"] == Decimal("400.00")  # 399.996
    assert row["JZNY"] == "202609"
    assert row["GRZHYE"] == Decimal("15")
    assert row["XHRQ"] is None
    assert row["GRCKZHHM"] == "6217000101000000099"


def test_demo_loans_become_contract_account_repayments_and_progress(specs, tables):
    loans = [(spec, loan) for spec in specs for loan in spec.loans]
    assert {loan.status for _, loan in loans} >= {LoanStatus.NOT_DISBURSED, LoanStatus.ACTIVE, LoanStatus.SETTLED}
    contracts = {row["JKHTBH"]: row for row in tables["DKHT"]}
    accounts = {row["JKHTBH"]: row for row in tables["DKZHXX"]}
    assert set(contracts) == {loan.contract_no for _, loan in loans}
    for spec, loan in loans:
        contract = contracts[loan.contract_no]
        assert contract["JKRGJJZH"] == spec.account_no
        assert mapping.REPAYMENT_METHODS[contract["DKHKFS"]] == loan.repayment_method
        steps = [row for row in tables["DKJD"] if row["JKHTBH"] == loan.contract_no]
        assert [mapping.PROGRESS_STATES[s["JDZT"]] for s in steps] == [s.state for s in loan.steps]
        if loan.status == LoanStatus.NOT_DISBURSED:
            assert loan.contract_no not in accounts
            continue
        account = accounts[loan.contract_no]
        assert mapping.LOAN_STATUSES[account["DKZT"]] == loan.status
        assert (account["SYQS"], account["XQYHRQ"], account["DQJHHKJE"]) == (
            loan.remaining_months,
            loan.next_due_on,
            loan.monthly_payment,
        )
        posted = [row for row in tables["DKMX"] if row["DKZH"] == account["DKZH"]]
        assert [row["DQQC"] for row in posted] == list(range(1, len(loan.repayments) + 1))
        assert sum(row["BJJE"] for row in posted) + account["DKYE"] == loan.amount
        assert all(row["FSE"] == row["BJJE"] + row["LXJE"] for row in posted)
        assert all(row["DKYWMXLX"] in mapping.REPAYMENT_POSTINGS for row in posted)
        if loan.status == LoanStatus.SETTLED:
            assert posted[-1]["DKYWMXLX"] == rows.EARLY_REPAYMENT
            assert account["DKJQRQ"] == posted[-1]["YWFSRQ"]


def test_demo_batch_reads_back_without_a_reject(tmp_path, tables):
    """Written by the interchange writer and read by its reader, every demo
    row passes the reader's rules (check digits, codes, monthly amounts …)."""
    from datetime import datetime

    from inquiry.interchange import reader, writer
    from zzgjj_portal.identity import CENTER_TZ

    as_of = datetime(2026, 10, 31, 23, 59, tzinfo=CENTER_TZ)
    writer.batch_write(tmp_path, batch_no=1, kind="delta", as_of=as_of, tables=tables)
    manifest = reader.batch_open(tmp_path)
    for name, written in tables.items():
        read = list(reader.rows_read(tmp_path, manifest, name))
        assert [r for r in read if isinstance(r, reader.RowReject)] == []
        assert len(read) == len(written)
