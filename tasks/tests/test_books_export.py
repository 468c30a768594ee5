"""books_export: the unacknowledged decisions as an interchange batch the
core reads with the same reader the portal's import uses."""

import json
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from inquiry.interchange import schema
from inquiry.interchange.reader import Row, batch_open, rows_read
from tasks.models import DecisionExport
from tasks.services.decisions import ExportRefused, decisions_acknowledge, decisions_export
from tasks.tests.factories import CompletedApplicationFactory, DecisionFactory

pytestmark = pytest.mark.django_db


def read(folder):
    manifest = batch_open(folder, tables=schema.EXPORT_TABLES)
    rows = list(rows_read(folder, manifest, "WTJD"))
    assert all(isinstance(r, Row) for r in rows), rows  # every row valid for the reader
    return manifest, {r.values["YWLSH"]: r.values for r in rows}


@pytest.fixture
def decisions():
    at = timezone.make_aware(datetime(2026, 11, 30, 9, 15, 7))
    withdrawal = DecisionFactory(
        serial_no="WT202611300000000001",
        account_no="109900000001",
        amount=Decimal("6012.34"),
        bank_account_no="6217000101000000009",
        withdrawal_reason="03",
        close_account=True,
        created_at=at,
    )
    loan = DecisionFactory(
        application=CompletedApplicationFactory(kind="loan", withdrawal_kind=""),
        serial_no="WT202611300000000002",
        kind="loan",
        account_no="109900000002",
        amount=Decimal("300000.00"),
        bank_account_no="",
        withdrawal_reason="",
        term_months=180,
        annual_rate=Decimal("0.02600"),
        repayment_method="equal_principal",
        created_at=at,
    )
    return withdrawal, loan


def test_export_writes_every_unacknowledged_decision_in_the_interchange_codes(tmp_path, decisions):
    export = decisions_export(folder=tmp_path / "out1")
    assert (export.batch_no, export.rows) == (1, 2)
    manifest, rows = read(tmp_path / "out1")
    assert (manifest.batch_no, manifest.kind, manifest.encoding) == (1, "delta", "UTF-8")
    # 截至 in the center's time (+08:00), as the core's own batches and SPSJ are.
    assert json.loads((tmp_path / "out1" / "manifest.json").read_text(encoding="utf-8"))["as_of"].endswith("+08:00")
    assert rows["WT202611300000000001"] == {
        "YWLSH": "WT202611300000000001",
        "YWLX": "01",
        "GRZH": "109900000001",
        "FSE": Decimal("6012.34"),
        "TQYY": "03",
        "XHBZ": "1",
        "GRCKZHHM": "6217000101000000009",
        "DKQS": None,
        "JKHTLL": None,
        "DKHKFS": None,
        "SPSJ": "2026-11-30 09:15:07",
    }
    loan = rows["WT202611300000000002"]
    assert (loan["YWLX"], loan["FSE"], loan["DKQS"], loan["JKHTLL"], loan["DKHKFS"]) == (
        "02",
        Decimal("300000.00"),
        180,
        Decimal("0.026"),
        "02",
    )
    assert (loan["TQYY"], loan["XHBZ"], loan["GRCKZHHM"]) == (None, None, None)


def test_reexport_offers_the_unacknowledged_only_with_the_next_number(tmp_path, decisions):
    withdrawal, loan = decisions
    decisions_export(folder=tmp_path / "a")
    # Not acknowledged yet: offered again.
    assert set(read(decisions_export(folder=tmp_path / "b").folder)[1]) == {withdrawal.serial_no, loan.serial_no}
    decisions_acknowledge(serial_nos=[withdrawal.serial_no])
    export = decisions_export(folder=tmp_path / "c")
    manifest, rows = read(tmp_path / "c")
    assert manifest.batch_no == export.batch_no == 3 and set(rows) == {loan.serial_no}
    decisions_acknowledge(serial_nos=[loan.serial_no])
    assert decisions_export(folder=tmp_path / "d") is None  # nothing: no batch, no number
    assert not (tmp_path / "d").exists()
    assert list(DecisionExport.objects.values_list("batch_no", "rows")) == [(3, 1), (2, 2), (1, 2)]


def test_export_in_gb18030(tmp_path, decisions):
    decisions_export(folder=tmp_path / "gbk", encoding="GB18030")
    manifest, rows = read(tmp_path / "gbk")
    assert manifest.encoding == "GB18030" and len(rows) == 2


def test_export_refuses_a_folder_that_is_not_empty(tmp_path, decisions):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "manifest.json").write_text("{}")
    with pytest.raises(ExportRefused) as info:
        decisions_export(folder=tmp_path / "x")
    assert info.value.code == "folder_not_empty" and not DecisionExport.objects.exists()


def test_books_export_command(tmp_path, decisions, capsys):
    call_command("books_export", str(tmp_path / "cmd"))
    assert "批次1" in capsys.readouterr().out
    assert json.loads((tmp_path / "cmd" / "manifest.json").read_text())["files"][0]["rows"] == 2
    with pytest.raises(CommandError, match="不为空"):
        call_command("books_export", str(tmp_path / "cmd"))
