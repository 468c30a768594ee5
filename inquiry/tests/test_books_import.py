"""books_import (inquiry/interchange/importing): batches written with the
format's writer are applied all or nothing, by natural keys, on SQLite and
PostgreSQL alike (run this file with DATABASE_URL too)."""

import csv
import hashlib
import json
from datetime import date
from decimal import Decimal

import pytest

from inquiry.interchange import reader
from inquiry.interchange.importing import books_import, checks, run
from inquiry.models import FundAccount, ImportReject, ImportRun, LedgerEntry, LoanContract, Member, Repayment
from inquiry.signals import decisions_settled
from inquiry.tests import batches as b

pytestmark = pytest.mark.django_db

D = Decimal


def base_tables() -> dict:
    """Two members: G1 with three ledger rows and a disbursed loan (two
    repayments, two progress nodes), G2 with one row and a loan not yet paid out."""
    return {
        "DWXX": [b.employer()],
        "GRXX": [b.person("G1", 1), b.person("G2", 2)],
        "GRZHXX": [b.account("G1", "1800.00"), b.account("G2", "1000.00")],
        "GRMX": [
            b.posting("G1", "S1", date(2024, 1, 15), "1200.00"),
            b.posting("G1", "S2", date(2024, 2, 15), "1200.00"),
            b.posting("G1", "S3", date(2024, 3, 1), "600.00", code="11"),
            b.posting("G2", "S4", date(2024, 1, 15), "1000.00"),
        ],
        "DKHT": [b.contract("HT1", "G1"), b.contract("HT2", "G2")],
        "DKZHXX": [b.loan_account("DK1", "HT1", "299000.00")],
        "DKMX": [
            b.repayment("DK1", "R1", date(2024, 8, 1), "500.00", "812.50"),
            b.repayment("DK1", "R2", date(2024, 9, 1), "500.00", "811.00", period=2),
        ],
        "DKJD": [b.step("HT1", 1, "申请受理"), b.step("HT1", 2, "审核", "02", None)],
    }


def applied(folder) -> ImportRun:
    result = books_import(folder=folder)
    assert result.status == ImportRun.Status.APPLIED, (result.message, list(result.rejects.values_list("reason")))
    return result


@pytest.fixture
def base(tmp_path):
    return applied(b.batch(tmp_path, 1, "full", **base_tables()))


def ledger(grzh: str) -> list[tuple]:
    return list(
        LedgerEntry.objects.filter(account__account_no=grzh)
        .order_by("booked_on", "id")
        .values_list("serial_no", "amount", "balance_after", "pending")
    )


@pytest.fixture
def settled():
    """What decisions_settled told (booked, refused), for each send."""
    sent = []

    def receive(sender, *, booked, refused, **kwargs):
        sent.append((booked, refused))

    decisions_settled.connect(receive, dispatch_uid="test_books_import_settled")
    yield sent
    decisions_settled.disconnect(dispatch_uid="test_books_import_settled")


# --- applying a full batch ------------------------------------------------------


def test_books_import_full_batch_creates_the_records_with_running_balances_and_sums(base):
    assert base.rows_total == 16 and base.rows_rejected == 0 and base.rows_applied == 16
    assert base.members_changed == 2
    account = FundAccount.objects.get(account_no="G1")
    assert account.member.id_number == b.id_number(1) and account.member.phone == "13900000001"
    assert account.employer.name == "枣庄测试机械有限公司"
    assert (account.balance, account.discrepancy, account.employer_rate) == (D("1800.00"), "", D("0.1200"))
    assert ledger("G1") == [
        ("S1", D("1200.00"), D("1200.00"), False),
        ("S2", D("1200.00"), D("2400.00"), False),
        ("S3", D("-600.00"), D("1800.00"), False),
    ]
    entry = LedgerEntry.objects.get(serial_no="S3")
    assert (entry.kind, entry.withdrawal_reason, entry.summary) == (LedgerEntry.Kind.WITHDRAWAL, "07", "部分提取")
    assert LedgerEntry.objects.get(serial_no="S1").period == "202401"
    loan = LoanContract.objects.get(contract_no="HT1")
    assert (loan.status, loan.loan_account_no, loan.outstanding_principal) == ("active", "DK1", D("299000.00"))
    assert (loan.remaining_months, loan.next_due_on, loan.applied_on) == (230, date(2026, 4, 1), date(2024, 6, 1))
    assert list(loan.repayments.order_by("repaid_on").values_list("serial_no", "period_no", "principal_to_date")) == [
        ("R1", 1, D("500.00")),
        ("R2", 2, D("1000.00")),
    ]
    assert list(loan.repayments.values_list("outstanding_after", flat=True).order_by("repaid_on")) == [
        D("299500.00"),
        D("299000.00"),
    ]
    assert list(loan.repayments.values_list("interest_to_date", flat=True).order_by("repaid_on")) == [
        D("812.50"),
        D("1623.50"),
    ]
    steps = list(loan.progress_steps.order_by("order"))
    assert [(s.order, s.name, s.state) for s in steps] == [(1, "申请受理", "done"), (2, "审核", "current")]
    # BLRQ is a day: handled at its start, Asia/Shanghai.
    assert steps[0].handled_at.isoformat() == "2024-05-31T16:00:00+00:00"
    assert steps[1].handled_at is None
    # A contract without a loan account row: 未发放, nothing outstanding.
    pending = LoanContract.objects.get(contract_no="HT2")
    assert (pending.status, pending.outstanding_principal, pending.disbursed_on) == ("not_disbursed", D("0"), None)


def test_books_import_full_batch_replaces_the_members_records_exactly(base, tmp_path):
    account = FundAccount.objects.get(account_no="G1")
    # A 待入账 entry is the portal's decision awaiting the core: kept.
    LedgerEntry.objects.create(
        account=account,
        booked_on=date(2024, 3, 5),
        kind=LedgerEntry.Kind.WITHDRAWAL,
        amount=D("-100.00"),
        balance_after=D("1700.00"),
        serial_no="WT0001",
        pending=True,
    )
    FundAccount.objects.filter(pk=account.pk).update(balance=D("1700.00"))
    applied(b.batch(tmp_path, 2, "full", GRZHXX=[b.account("G3", "0.00")], GRXX=[b.person("G3", 3)]))
    tables = base_tables()
    tables["GRMX"] = [
        b.posting("G1", "S1", date(2024, 1, 15), "1200.00"),
        b.posting("G1", "S5", date(2024, 4, 15), "300.00"),
        b.posting("G2", "S4", date(2024, 1, 15), "1000.00"),
    ]
    tables["GRZHXX"] = [b.account("G1", "1500.00"), b.account("G2", "1000.00")]
    tables["DKHT"] = [b.contract("HT1", "G1")]  # HT2 of G2 is gone from the core
    tables["DKMX"] = tables["DKMX"][:1]
    tables["DKJD"] = tables["DKJD"][:1]
    applied(b.batch(tmp_path, 3, "full", **tables))
    assert ledger("G1") == [
        ("S1", D("1200.00"), D("1200.00"), False),
        ("WT0001", D("-100.00"), D("1100.00"), True),
        ("S5", D("300.00"), D("1500.00"), False),
    ]
    account.refresh_from_db()
    assert (account.balance, account.discrepancy) == (D("1400.00"), "")
    assert not LoanContract.objects.filter(contract_no="HT2").exists()
    loan = LoanContract.objects.get(contract_no="HT1")
    assert list(loan.repayments.values_list("serial_no", flat=True)) == ["R1"]
    assert list(loan.progress_steps.values_list("order", flat=True)) == [1]
    assert loan.repayments.get().outstanding_after == D("299500.00")
    # A member not in the batch keeps everything.
    assert FundAccount.objects.filter(account_no="G3").exists()


def test_books_import_full_batch_contract_without_its_loan_account_row_is_not_disbursed(base, tmp_path):
    tables = base_tables()
    del tables["DKZHXX"], tables["DKMX"]
    applied(b.batch(tmp_path, 2, "full", **tables))
    loan = LoanContract.objects.get(contract_no="HT1")
    assert (loan.status, loan.outstanding_principal, loan.loan_account_no, loan.disbursed_on) == (
        "not_disbursed",
        D("0"),
        "",
        None,
    )
    assert not loan.repayments.exists()


# --- deltas ---------------------------------------------------------------------


def test_books_import_delta_upserts_and_keeps_what_it_does_not_name(base, tmp_path):
    applied(
        b.batch(
            tmp_path,
            2,
            GRZHXX=[b.account("G1", "2400.00")],
            GRMX=[b.posting("G1", "S5", date(2024, 4, 15), "600.00")],
            DKZHXX=[b.loan_account("DK1", "HT1", "298500.00", SYQS=229)],
            DKMX=[b.repayment("DK1", "R3", date(2024, 10, 1), "500.00", "809.50", period=3)],
        )
    )
    assert [row[0] for row in ledger("G1")] == ["S1", "S2", "S3", "S5"]
    assert ledger("G1")[-1][2] == D("2400.00")
    assert FundAccount.objects.get(account_no="G1").balance == D("2400.00")
    loan = LoanContract.objects.get(contract_no="HT1")
    assert (loan.outstanding_principal, loan.remaining_months, loan.discrepancy) == (D("298500.00"), 229, "")
    assert loan.repayments.count() == 3
    assert LoanContract.objects.filter(contract_no="HT2").exists()


def test_books_import_keeps_the_settlement_date_of_a_settled_loan(base, tmp_path):
    """DKJQRQ (贷款结清日期) becomes LoanContract.settled_on, for a contract
    already there and for a new one, and goes when the core sends none."""
    settled = {"status": "03", "SYQS": 0, "XQYHRQ": None}
    applied(
        b.batch(
            tmp_path,
            2,
            DKHT=[b.contract("HT3", "G2", "100000.00")],
            DKZHXX=[
                b.loan_account("DK1", "HT1", "0.00", DKJQRQ=date(2024, 10, 8), **settled),
                b.loan_account("DK3", "HT3", "0.00", amount="100000.00", DKJQRQ=date(2025, 1, 2), **settled),
            ],
        )
    )
    found = dict(LoanContract.objects.values_list("contract_no", "settled_on"))
    assert found == {"HT1": date(2024, 10, 8), "HT2": None, "HT3": date(2025, 1, 2)}
    applied(b.batch(tmp_path, 3, DKZHXX=[b.loan_account("DK1", "HT1", "298500.00")]))
    assert LoanContract.objects.get(contract_no="HT1").settled_on is None


def test_books_import_same_rows_again_change_nothing(base, tmp_path):
    before_versions = dict(Member.objects.values_list("pk", "data_version"))
    before_rows = ledger("G1") + ledger("G2")
    repeat = applied(b.batch(tmp_path, 2, **base_tables()))
    assert repeat.members_changed == 0
    assert dict(Member.objects.values_list("pk", "data_version")) == before_versions
    assert ledger("G1") + ledger("G2") == before_rows
    # The same batch a second time is refused as applied: nothing changes.
    again = books_import(folder=b.batch(tmp_path, 2, **base_tables()))
    assert (again.status, again.message) == ("refused", "批次2已导入,不重复导入")
    assert dict(Member.objects.values_list("pk", "data_version")) == before_versions


def test_books_import_reversal_removes_the_row_it_names(base, tmp_path):
    applied(
        b.batch(
            tmp_path,
            2,
            GRZHXX=[b.account("G1", "600.00")],
            GRMX=[b.posting("G1", "S2", date(2024, 2, 15), "1200.00", CZBZ="1")],
        )
    )
    assert ledger("G1") == [("S1", D("1200.00"), D("1200.00"), False), ("S3", D("-600.00"), D("600.00"), False)]
    assert FundAccount.objects.get(account_no="G1").balance == D("600.00")


def test_books_import_reversal_within_the_batch_leaves_no_row(base, tmp_path):
    applied(
        b.batch(
            tmp_path,
            2,
            GRMX=[
                b.posting("G2", "S9", date(2024, 5, 1), "50.00"),
                b.posting("G2", "S9", date(2024, 5, 1), "50.00", CZBZ="1"),
            ],
        )
    )
    assert not LedgerEntry.objects.filter(serial_no="S9").exists()


# --- rejects ----------------------------------------------------------------------


def test_books_import_rejects_rows_with_reasons_children_too_and_reports_them(base, tmp_path, settings):
    settings.INQUIRY_IMPORT_REJECT_THRESHOLD = 0.95
    folder = b.batch(
        tmp_path,
        2,
        GRXX=[
            b.person("G1", 1, phone="13900000002"),  # G2's phone
            b.person("G9", 9),
            b.person("G8", 2),  # G2's ID number on another account
        ],
        GRZHXX=[b.account("G9", "0.00", dwzh="NOSUCH"), b.account("G8", "0.00")],
        GRMX=[
            b.posting("G9", "S90", date(2024, 5, 1), "10.00"),
            b.posting("GX", "S91", date(2024, 5, 1), "10.00"),
            b.posting("G2", "S92", date(2024, 5, 1), "10.00", CZBZ="1"),
            b.posting("G2", "S1", date(2024, 1, 15), "1200.00", CZBZ="1"),  # G1's row
            b.posting("G2", "S93", date(2024, 5, 1), "10.01"),
            b.posting("G2", "S94", date(2024, 5, 2), "20.00"),
        ],
        DKHT=[b.contract("HT9", "G2", JKRZJH=b.id_number(1)), b.contract("HT8", "GX")],
        DKZHXX=[b.loan_account("DK8", "HT8", "100.00")],
        DKMX=[
            b.repayment("DK8", "R80", date(2024, 8, 1), "1.00", "1.00"),
            b.repayment("DKX", "R81", date(2024, 8, 1), "1.00", "1.00"),
        ],
        DKJD=[b.step("HT8", 1, "申请受理"), b.step("HTX", 1, "申请受理"), b.step("HT1", 3, "审批", "03", None)],
    )
    b.rewrite(folder, "GRMX", ",10.01,", ",10.005,")
    result = books_import(folder=folder)
    assert result.status == "applied", (result.message, list(result.rejects.values_list("table", "key", "reason")))
    reasons = {(r.table, r.key): r.reason for r in result.rejects.all()}
    assert reasons == {
        ("GRXX", "G1"): checks.PERSON_PHONE_TAKEN,
        ("GRXX", "G8"): checks.PERSON_ID_TAKEN,
        ("GRZHXX", "G9"): checks.ACCOUNT_NO_EMPLOYER,
        ("GRXX", "G9"): checks.PERSON_ACCOUNT_REFUSED,
        ("GRZHXX", "G8"): checks.ACCOUNT_PERSON_REFUSED,
        ("GRMX", "S90"): checks.LEDGER_ACCOUNT_REFUSED,
        ("GRMX", "S91"): checks.LEDGER_NO_ACCOUNT,
        ("GRMX", "S92"): checks.REVERSAL_NOT_FOUND,
        ("GRMX", "S1"): checks.REVERSAL_OTHER_ACCOUNT,
        ("GRMX", "S93"): reasons[("GRMX", "S93")],
        ("DKHT", "HT9"): checks.CONTRACT_ID_MISMATCH,
        ("DKHT", "HT8"): checks.CONTRACT_NO_ACCOUNT,
        ("DKZHXX", "DK8"): checks.LOAN_ACCOUNT_CONTRACT_REFUSED,
        ("DKMX", "R80"): checks.POSTING_ACCOUNT_REFUSED,
        ("DKMX", "R81"): checks.POSTING_NO_ACCOUNT,
        ("DKJD", "HT8/1"): checks.PROGRESS_CONTRACT_REFUSED,
        ("DKJD", "HTX/1"): checks.PROGRESS_NO_CONTRACT,
    }
    assert "两位小数" in reasons[("GRMX", "S93")]
    assert (result.rows_rejected, result.rows_total, result.rows_applied) == (17, 19, 2)
    # Nothing refused was applied; the phone stayed with its holder.
    assert Member.objects.get(fund_account__account_no="G1").phone == "13900000001"
    assert LedgerEntry.objects.filter(serial_no="S94").exists()
    assert LoanContract.objects.get(contract_no="HT1").progress_steps.count() == 3
    assert not FundAccount.objects.filter(account_no__in=["G8", "G9"]).exists()
    assert LedgerEntry.objects.filter(serial_no="S1").exists()
    # The report beside the batch: UTF-8 with BOM for Excel, no ID number or phone.
    raw = reader.reject_report_path(folder).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0] == ["表", "行号", "关键字", "原因"]
    assert ["GRXX", "2", "G1", checks.PERSON_PHONE_TAKEN] in rows
    assert len(rows) == 18
    for secret in (b.id_number(1), b.id_number(2), "13900000002"):
        assert secret not in text
        assert not ImportReject.objects.filter(reason__contains=secret).exists()


def test_books_import_over_the_threshold_applies_nothing(base, tmp_path):
    folder = b.batch(
        tmp_path,
        2,
        GRMX=[b.posting("G1", f"N{n}", date(2024, 5, n), "10.00") for n in range(1, 9)]
        + [b.posting("GX", "N9", date(2024, 5, 9), "10.00")],
    )
    result = books_import(folder=folder)
    assert result.status == "refused"
    assert result.message == "拒绝1行,占全部9行的11.11%,超过阈值0.10%:整批未导入"
    assert (result.rows_total, result.rows_rejected) == (9, 1)
    assert not LedgerEntry.objects.filter(serial_no__startswith="N").exists()
    assert list(result.rejects.values_list("table", "line_no", "key")) == [("GRMX", 10, "N9")]
    assert reader.reject_report_path(folder).exists()
    # Fixed, the same batch number applies.
    applied(b.batch(tmp_path, 2, GRMX=[b.posting("G1", "N1", date(2024, 5, 1), "10.00")]))


def test_books_import_a_refused_batch_writes_nothing(base, tmp_path):
    folder = b.batch(tmp_path, 2, GRMX=[b.posting("G1", "S5", date(2024, 4, 15), "600.00")])
    (folder / "GRMX.csv").write_bytes((folder / "GRMX.csv").read_bytes() + b"G1,20240101\r\n")
    result = books_import(folder=folder)
    assert result.status == "refused" and "SHA-256" in result.message
    assert result.batch_no == 0
    assert not LedgerEntry.objects.filter(serial_no="S5").exists()


# --- sequence ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("batch_no", "message"),
    [
        (1, "批次1已导入,不重复导入"),
        (3, "批次号3不连续:已导入到批次1,下一个应为批次2"),
    ],
)
def test_books_import_refuses_a_batch_out_of_sequence(base, tmp_path, batch_no, message):
    result = books_import(folder=b.batch(tmp_path, batch_no, GRMX=[b.posting("G1", "S7", date(2024, 5, 1), "1.00")]))
    assert (result.status, result.message, result.batch_no) == ("refused", message, batch_no)
    assert result.finished_at is not None
    assert not LedgerEntry.objects.filter(serial_no="S7").exists()


def test_books_import_refuses_a_batch_older_than_the_last(tmp_path):
    for batch_no in (1, 2, 3):
        applied(b.batch(tmp_path, batch_no, DWXX=[b.employer()]))
    result = books_import(folder=b.batch(tmp_path, 2, DWXX=[b.employer(name="旧名称")]))
    assert result.message == "批次2已导入,不重复导入"
    ImportRun.objects.filter(batch_no=2).delete()  # as if 2 had never been applied
    result = books_import(folder=b.batch(tmp_path, 2, DWXX=[b.employer(name="旧名称")]))
    assert result.message == "批次号2早于已导入的批次3"


def test_books_import_first_batch_is_number_one(tmp_path):
    result = books_import(folder=b.batch(tmp_path, 731, "full", DWXX=[b.employer()]))
    assert (result.status, result.message) == ("refused", "批次号731不连续:尚未导入过批次,第一个应为批次1")
    assert applied(b.batch(tmp_path, 1, "full", DWXX=[b.employer()])).batch_no == 1


def test_books_import_second_import_at_once_is_refused(tmp_path):
    """SQLite: the lock file; PostgreSQL: the advisory lock (test_books_import_pg)."""
    import fcntl

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL lock is tested in test_books_import_pg")
    with open(run.lock_path(), "a+") as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            result = books_import(folder=b.batch(tmp_path, 1, "full", DWXX=[b.employer()]))
        finally:
            fcntl.flock(other, fcntl.LOCK_UN)
    assert (result.status, result.message) == ("refused", run.LOCKED)
    applied(b.batch(tmp_path, 1, "full", DWXX=[b.employer()]))


def test_books_import_marks_a_run_killed_midway_and_applies_the_batch(tmp_path):
    killed = ImportRun.objects.create(
        batch_no=1, folder="x", status=ImportRun.Status.RUNNING, started_at="2026-03-01T02:00:00+08:00"
    )
    applied(b.batch(tmp_path, 1, "full", DWXX=[b.employer()]))
    killed.refresh_from_db()
    assert (killed.status, killed.message) == ("failed", run.INTERRUPTED)


def test_books_import_a_fault_rolls_everything_back(base, tmp_path, monkeypatch):
    from inquiry.interchange.importing import apply

    def broken(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(apply.Apply, "contracts", broken)
    result = books_import(folder=b.batch(tmp_path, 2, GRMX=[b.posting("G1", "S7", date(2024, 5, 1), "1.00")]))
    assert (result.status, result.message) == ("failed", "导入出错(RuntimeError),整批未导入,数据未改动")
    assert not LedgerEntry.objects.filter(serial_no="S7").exists()
    monkeypatch.undo()
    applied(b.batch(tmp_path, 2, GRMX=[b.posting("G1", "S7", date(2024, 5, 1), "1.00")]))


# --- 待入账 and the core's answers --------------------------------------------------


def pending_withdrawal(grzh: str, serial: str, amount: str, day=date(2026, 2, 20)) -> LedgerEntry:
    """As the approval writes it (helper dec): a 待入账 entry counted against the balance."""
    account = FundAccount.objects.get(account_no=grzh)
    balance = account.balance - D(amount)
    FundAccount.objects.filter(pk=account.pk).update(balance=balance)
    return LedgerEntry.objects.create(
        account=account,
        booked_on=day,
        kind=LedgerEntry.Kind.WITHDRAWAL,
        amount=-D(amount),
        balance_after=balance,
        summary="租房提取",
        withdrawal_reason="07",
        serial_no=serial,
        pending=True,
    )


def test_books_import_core_posting_confirms_the_pending_entry_in_place(base, tmp_path, settled):
    entry = pending_withdrawal("G1", "WT202602200001", "500.00")
    applied(
        b.batch(
            tmp_path,
            2,
            GRZHXX=[b.account("G1", "1300.00")],
            GRMX=[b.posting("G1", "WT202602200001", date(2026, 2, 21), "500.00", code="11")],
        )
    )
    assert LedgerEntry.objects.filter(serial_no="WT202602200001").count() == 1
    entry.refresh_from_db()
    assert (entry.pending, entry.booked_on, entry.amount, entry.balance_after) == (
        False,
        date(2026, 2, 21),
        D("-500.00"),
        D("1300.00"),
    )
    account = FundAccount.objects.get(account_no="G1")
    assert (account.balance, account.discrepancy) == (D("1300.00"), "")
    assert settled == [(["WT202602200001"], {})]


def test_books_import_late_booking_after_the_entry_was_reversed_is_booked(base, tmp_path, settled):
    applied(
        b.batch(
            tmp_path,
            2,
            GRZHXX=[b.account("G1", "1300.00")],
            GRMX=[
                b.posting("G1", "WT202602200009", date(2026, 2, 27), "500.00", code="11"),
                b.posting("G1", "S9", date(2026, 2, 27), "0.00", code="05"),
            ],
        )
    )
    assert LedgerEntry.objects.get(serial_no="WT202602200009").pending is False
    assert settled == [(["WT202602200009"], {})]


def test_books_import_core_refusal_reverses_the_pending_entry(base, tmp_path, settled):
    pending_withdrawal("G1", "WT202602200002", "500.00")
    assert FundAccount.objects.get(account_no="G1").balance == D("1300.00")
    applied(b.batch(tmp_path, 2, JDFK=[b.result("WT202602200002"), b.result("DK-DECISION-7", reason="资料不全")]))
    assert not LedgerEntry.objects.filter(serial_no="WT202602200002").exists()
    assert FundAccount.objects.get(account_no="G1").balance == D("1800.00")
    assert settled == [([], {"WT202602200002": "账户已冻结", "DK-DECISION-7": "资料不全"})]


def test_books_import_booked_rows_keep_the_core_balance_around_a_pending_entry(base, tmp_path):
    pending_withdrawal("G1", "WT202602200003", "500.00")
    applied(
        b.batch(
            tmp_path, 2, GRZHXX=[b.account("G1", "2400.00")], GRMX=[b.posting("G1", "S5", date(2026, 2, 25), "600.00")]
        )
    )
    assert ledger("G1") == [
        ("S1", D("1200.00"), D("1200.00"), False),
        ("S2", D("1200.00"), D("2400.00"), False),
        ("S3", D("-600.00"), D("1800.00"), False),
        # The portal's running balance on its 待入账 row; the core's on its own rows.
        ("WT202602200003", D("-500.00"), D("1300.00"), True),
        ("S5", D("600.00"), D("2400.00"), False),
    ]
    account = FundAccount.objects.get(account_no="G1")
    assert (account.balance, account.discrepancy) == (D("1900.00"), "")


def test_books_import_contract_for_a_portal_decision_settles_it(base, tmp_path, settled):
    applied(b.batch(tmp_path, 2, DKHT=[b.contract("HT5", "G2", SQYWLSH="WTDK0005")]))
    assert LoanContract.objects.get(contract_no="HT5").decision_serial_no == "WTDK0005"
    assert settled == [(["WTDK0005"], {})]
    applied(b.batch(tmp_path, 3, DKHT=[b.contract("HT5", "G2", SQYWLSH="WTDK0005")]))
    assert len(settled) == 1  # only the first time


# --- reconciliation ----------------------------------------------------------------------


def test_books_import_flags_an_account_that_does_not_reconcile_and_clears_it(base, tmp_path):
    result = applied(b.batch(tmp_path, 2, GRZHXX=[b.account("G1", "12000.00")]))
    account = FundAccount.objects.get(account_no="G1")
    assert account.discrepancy == "GRZHYE 12,000.00 ≠ 明细合计 1,800.00"
    assert result.accounts_flagged == 1 and "个人账户1个" in result.message
    applied(b.batch(tmp_path, 3, GRZHXX=[b.account("G1", "1800.00")]))
    assert FundAccount.objects.get(account_no="G1").discrepancy == ""


def test_books_import_flags_a_contract_whose_balance_is_not_its_repayments(base, tmp_path):
    applied(b.batch(tmp_path, 2, DKZHXX=[b.loan_account("DK1", "HT1", "290000.00")]))
    assert LoanContract.objects.get(contract_no="HT1").discrepancy == "DKYE 290,000.00 ≠ 合同金额减已还本金 299,000.00"
    applied(b.batch(tmp_path, 3, DKZHXX=[b.loan_account("DK1", "HT1", "299000.00")]))
    assert LoanContract.objects.get(contract_no="HT1").discrepancy == ""


def test_books_import_negative_running_balance_is_flagged_not_a_failure(base, tmp_path):
    applied(
        b.batch(
            tmp_path,
            2,
            GRZHXX=[b.account("G2", "0.00")],
            GRMX=[b.posting("G2", "S6", date(2023, 12, 1), "1000.00", code="11")],
        )
    )
    account = FundAccount.objects.get(account_no="G2")
    assert account.discrepancy == "明细余额出现负数(按0显示)"
    assert account.balance == D("0.00")


# --- the format's variants ---------------------------------------------------------------


def test_books_import_reads_a_gb18030_batch(tmp_path):
    folder = b.batch(
        tmp_path, 1, "full", encoding="GB18030", DWXX=[b.employer(name="枣庄市薛城区供销合作社")], GRXX=[], GRZHXX=[]
    )
    applied(folder)
    assert list(FundAccount.objects.none()) == []
    from inquiry.models import Employer

    assert Employer.objects.get(account_no=b.EMPLOYER_NO).name == "枣庄市薛城区供销合作社"


def test_books_import_manifest_checksum_matches_what_the_writer_wrote(tmp_path):
    """The test batches are real batches: their manifest holds each file's SHA-256."""
    folder = b.batch(tmp_path, 1, "full", DWXX=[b.employer()])
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["files"][0]
    assert entry["sha256"] == hashlib.sha256((folder / entry["file"]).read_bytes()).hexdigest()


def test_books_import_stores_no_more_than_repayment_postings(base, tmp_path):
    disbursal = b.repayment("DK1", "F1", date(2024, 7, 1), "0.00", "0.00")
    disbursal["DKYWMXLX"] = "01"
    applied(b.batch(tmp_path, 2, DKMX=[disbursal]))
    assert not Repayment.objects.filter(serial_no="F1").exists()


# --- the sample batch in the repository -----------------------------------------------


@pytest.mark.parametrize("name", ["utf8", "gb18030"])
def test_books_import_applies_the_sample_batch(tmp_path, settings, name):
    import shutil

    from inquiry.tests.interchange_sample import SAMPLE_DIR, sample_rejects

    folder = tmp_path / name
    shutil.copytree(SAMPLE_DIR / name, folder)
    # One row of the sample is wrong on purpose: over the default 0.1 %.
    refused = books_import(folder=folder)
    assert refused.status == "refused" and refused.rows_rejected == 1
    assert not FundAccount.objects.exists()
    settings.INQUIRY_IMPORT_REJECT_THRESHOLD = 0.05
    result = applied(folder)
    assert list(result.rejects.values_list("table", "line_no", "key", "reason")) == sample_rejects()
    assert FundAccount.objects.count() == 4
    assert not FundAccount.objects.exclude(discrepancy="").exists()
    assert not LoanContract.objects.exclude(discrepancy="").exists()
    for account in FundAccount.objects.all():
        last = account.entries.order_by("booked_on", "id").last()
        assert account.balance == (last.balance_after if last else 0)


def test_books_import_rejects_values_the_records_cannot_hold(base, tmp_path, settings):
    settings.INQUIRY_IMPORT_REJECT_THRESHOLD = 0.9
    folder = b.batch(
        tmp_path,
        2,
        GRMX=[b.posting("G1", "BIG", date(2024, 5, 1), "1.00"), b.posting("G1", "OK1", date(2024, 5, 2), "1.00")],
        DKJD=[b.step("HT1", 40000, "放款")],
    )
    # An amount the reader takes (16 digits) but decimal(14,2) cannot hold.
    b.rewrite(folder, "GRMX", ",01,1.00,,,,,,BIG,", ",01,9999999999999.00,,,,,,BIG,")
    result = books_import(folder=folder)
    assert result.status == "applied"
    assert sorted(result.rejects.values_list("key", "reason")) == [
        ("BIG", "FSE 金额超出网厅可保存的范围: 9999999999999.00"),
        ("HT1/40000", "JDXH 超出网厅可保存的范围(最大32767): 40000"),
    ]
    assert LedgerEntry.objects.filter(serial_no="OK1").exists()
