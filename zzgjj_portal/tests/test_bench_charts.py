"""The bench's charts section (bench/charts.py): the measurement through the
test client on a member with a ledger, and its report from made-up figures."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from bench import charts
from bench.run import TARGETS, main
from inquiry.tests.factories import LedgerEntryFactory


def _figures(on: float, off: float) -> dict:
    return {
        "path": "/ledger/?start=1996-12-05&end=2026-12-04",
        "rounds": 3,
        "repeats": 30,
        "on_cpu_ms": on,
        "off_cpu_ms": off,
        "ratio": on / off,
        "queries_on": 5,
        "queries_off": 4,
        "bytes_on": 35_000,
        "bytes_off": 15_000,
    }


@pytest.mark.django_db
def test_measure_renders_the_page_with_and_without_charts(member_client, member_user):
    account = member_user.member.fund_account
    for month in range(1, 13):
        LedgerEntryFactory(
            account=account,
            booked_on=date(2020, month, 15),
            amount=Decimal("100.00"),
            balance_after=Decimal("100.00") * month,
        )
    path = reverse("inquiry:ledger") + "?start=2020-01-01&end=2020-12-31"
    figures = charts.measure(member_client, path, rounds=1, repeats=2)
    assert figures["queries_on"] == figures["queries_off"] + 1
    assert figures["bytes_on"] > figures["bytes_off"]
    assert figures["on_cpu_ms"] > 0 and figures["off_cpu_ms"] > 0
    assert figures["ratio"] == figures["on_cpu_ms"] / figures["off_cpu_ms"]


def test_section_reports_the_ratio_against_the_target():
    assert TARGETS["charts_ratio"] == 1.2
    met = charts.section(_figures(3.3, 3.0), TARGETS)
    assert met.startswith(charts.SECTION_START) and met.rstrip().endswith(charts.SECTION_END)
    assert "| 缴存支取信息 30 years | 3.30 | 3.00 | 1.10× | ≤ 1.2× (met) | 5 / 4 | 35,000 / 15,000 |" in met
    missed = charts.section(_figures(4.5, 3.0), TARGETS)
    assert "1.50× | ≤ 1.2× (**missed**)" in missed


def test_run_offers_the_charts_section_alone(monkeypatch):
    called = []
    monkeypatch.setattr("bench.run.run_charts", lambda args: called.append(args.db))
    monkeypatch.setattr("bench.run.ensure_data", lambda db, members: "")
    monkeypatch.setattr("bench.run.collectstatic", lambda db: None)
    monkeypatch.setattr("sys.argv", ["run.py", "--charts-only", "--db", "zzgjj_bench_test"])
    main()
    assert called == ["zzgjj_bench_test"]
