"""The charts on the pages draw the tables' numbers: each mark's period and
exact value (data-*) against the rows the selectors give the table, and its
geometry read back through the axis (within a pixel); the text alternative;
what the charts cost in queries; INQUIRY_CHARTS off draws none."""

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inquiry import selectors, statements
from inquiry.models import LedgerEntry
from inquiry.tests.factories import LedgerEntryFactory

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
START, END = date(1996, 12, 5), date(2026, 12, 4)


def thirty_years(account) -> None:
    """A deposit every month for 30 years, a withdrawal now and then, and
    the year's interest each 30 June: some 400 rows."""
    balance, day, rows = Decimal("0.00"), date(1997, 1, 15), []
    while day <= date(2026, 11, 15):
        amount = Decimal("300.00") + day.year - 1990
        kind = LedgerEntry.Kind.MONTHLY_DEPOSIT
        if day.month == 4 and day.year % 3 == 0:
            amount, kind = -(balance / 4).quantize(Decimal("0.01")), LedgerEntry.Kind.WITHDRAWAL
        balance += amount
        rows.append((day, kind, amount, balance))
        if day.month == 6:
            interest = (balance * Decimal("0.015")).quantize(Decimal("0.01"))
            balance += interest
            rows.append((date(day.year, 6, 30), LedgerEntry.Kind.INTEREST, interest, balance))
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 15)
    LedgerEntry.objects.bulk_create(
        LedgerEntryFactory.build(account=account, booked_on=booked_on, kind=kind, amount=amount, balance_after=after)
        for booked_on, kind, amount, after in rows
    )


def svg_of(html: str, chart_id: str) -> ET.Element:
    """The chart's <svg> element, parsed as XML (the markup is XML-clean)."""
    figure = re.search(rf'<figure class="chart[^"]*" data-testid="chart-{chart_id}">(.*?)</figure>', html, re.S)
    assert figure, chart_id
    svg = re.search(r"<svg.*?</svg>", figure.group(1), re.S).group(0)
    # Our own page's markup, not untrusted input.
    return ET.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))  # noqa: S314


def axis(svg: ET.Element):
    top, y0, y1 = Decimal(svg.get("data-top")), float(svg.get("data-y0")), float(svg.get("data-y1"))
    # A viewBox unit is about a pixel on a desktop (the chart is some 540 px
    # wide for 560 units); on a phone a unit is less than a pixel.
    pixel = top / Decimal(str(y0 - y1))

    def value_at(y: float) -> Decimal:
        return top * Decimal(str(y0 - y)) / Decimal(str(y0 - y1))

    return value_at, pixel, y0


def line_points(svg: ET.Element) -> list[tuple[str, Decimal, float, float]]:
    """(period, exact value, x, y) of each point of the chart's line: the
    path's vertices with its data-periods and data-values, in order."""
    path = svg.find(f"{SVG}path")
    vertices = [tuple(map(float, v.split())) for v in path.get("d")[1:].split(" L")]
    periods, values = path.get("data-periods").split(), path.get("data-values").split()
    assert len(periods) == len(values) == len(vertices)
    return [(p, Decimal(v), x, y) for p, v, (x, y) in zip(periods, values, vertices, strict=True)]


def text_alternative(svg: ET.Element) -> tuple[str, str]:
    ids = svg.get("aria-labelledby").split()
    assert svg.get("role") == "img" and len(ids) == 2
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert [title.get("id"), desc.get("id")] == ids
    return title.text, desc.text


def year_end_balances(rows, end: date) -> list[tuple[str, Decimal]]:
    """Each 缴存年度's last row's 余额 (YYYY06 of its 30 June; the year the
    range ends inside: the range end's month), as the table lists them."""
    out: dict[int, Decimal] = {}
    for r in rows:
        out[(r.booked_on.year + (r.booked_on.month >= 7)) * 100 + 6] = r.balance_after
    last = end.year * 100 + end.month
    return [(str(min(key, last)), balance) for key, balance in out.items()]


def test_ledger_charts_draw_the_tables_rows_over_30_years(member_client, member, account):
    thirty_years(account)
    url = reverse("inquiry:ledger") + f"?start={START}&end={END}"
    response = member_client.get(url)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    rows = selectors.ledger_entries(member=member, start=START, end=END).entries
    assert len(rows) > 380

    line = svg_of(html, "ledger-balance")
    value_at, pixel, _ = axis(line)
    points = line_points(line)
    # 30 years: a point per 缴存年度 (selectors.CHART_STEPS), its closing balance.
    expected = year_end_balances(rows, END)
    assert [(period, value) for period, value, _, _ in points] == expected
    assert len(points) == 31 and points[-1][0] == "202612"
    for _, value, _, y in points:
        assert abs(value_at(y) - value) <= pixel
    xs = [x for _, _, x, _ in points]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    # A short line has a dot on each point.
    dots = [(float(d.get("cx")), float(d.get("cy"))) for d in line.findall(f"{SVG}circle")]
    assert dots == [(x, y) for _, _, x, y in points]
    title, desc = text_alternative(line)
    top = max(v for _, v in expected)
    assert title == "账户余额(缴存年度末)"
    assert desc.startswith("账户余额(缴存年度末):1997年6月至2026年12月,共31个点;")
    assert f"终点{expected[-1][1]:,}元" in desc and f"最高{top:,}元" in desc

    bars = svg_of(html, "ledger-years")
    value_at, pixel, y0 = axis(bars)
    by_year: dict[date, list[Decimal]] = {}
    for r in rows:
        sums = by_year.setdefault(statements.year_start(r.booked_on), [Decimal("0.00"), Decimal("0.00")])
        if r.kind in (LedgerEntry.Kind.MONTHLY_DEPOSIT, LedgerEntry.Kind.BACK_PAYMENT):
            sums[0] += r.amount
        elif r.kind == LedgerEntry.Kind.WITHDRAWAL:
            sums[1] -= r.amount
    expected_bars = [
        (f"{y.year}-{(y.year + 1) % 100:02d}", str(s), v) for y, values in by_year.items() for s, v in enumerate(values)
    ]
    rects = bars.findall(f"{SVG}rect")
    assert [(r.get("data-period"), r.get("data-series"), Decimal(r.get("data-value"))) for r in rects] == expected_bars
    assert any(v for *_, v in expected_bars[1::2])  # withdrawals are drawn too
    for rect in rects:
        y, height = float(rect.get("y")), float(rect.get("height"))
        assert abs(y + height - y0) < 0.11
        assert abs(value_at(y) - Decimal(rect.get("data-value"))) <= pixel
    title, desc = text_alternative(bars)
    assert desc.startswith("各缴存年度缴存与提取:1996-1997年度至2026-2027年度,共31组;")
    assert 'style="' not in html  # the strict CSP: no inline styles


def test_ledger_charts_cost_one_query_and_go_with_the_setting(member_client, member, account, settings):
    thirty_years(account)
    url = reverse("inquiry:ledger") + f"?start={START}&end={END}"
    settings.PAGE_CACHE_SECONDS = 0
    member_client.get(url)
    counts = {}
    for on in (True, False):
        settings.INQUIRY_CHARTS = on
        with CaptureQueriesContext(connection) as queries:
            html = member_client.get(url).content.decode()
        counts[on] = len(queries)
        assert ('data-testid="chart-ledger-balance"' in html) is on
    assert counts[True] == counts[False] + 1


def test_a_range_without_entries_draws_no_chart(member_client, account):
    html = member_client.get(reverse("inquiry:ledger") + "?start=2000-01-01&end=2000-12-31").content.decode()
    assert "该日期范围内没有缴存支取记录" in html and "chart-ledger" not in html


def test_plan_charts_draw_the_plans_rows(member_client, member, loans):
    _, active, _ = loans
    html = member_client.get(reverse("inquiry:plan") + f"?contract={active.contract_no}").content.decode()
    plan = selectors.loan_plan(loan=active, start=None, end=None)
    assert len(plan.rows) == 237

    line = svg_of(html, "plan-remaining")
    value_at, pixel, _ = axis(line)
    remaining, expected = active.outstanding_principal, []
    for row in plan.rows:
        remaining -= row.principal
        expected.append((row.period, remaining))
    points = line_points(line)
    assert [(period, value) for period, value, _, _ in points] == expected
    assert expected[-1][1] == 0  # the plan repays it all
    for _, value, _, y in points:
        assert abs(value_at(y) - value) <= pixel
    assert text_alternative(line)[1].startswith("剩余本金:2020年12月至2040年8月,共237个点;")

    bars = svg_of(html, "plan-years")
    value_at, pixel, y0 = axis(bars)
    years: dict[int, list[Decimal]] = {}
    for row in plan.rows:
        sums = years.setdefault(row.due_date.year, [Decimal("0.00"), Decimal("0.00")])
        sums[0] += row.principal
        sums[1] += row.interest
    rects = bars.findall(f"{SVG}rect")
    assert [(r.get("data-period"), r.get("data-series"), Decimal(r.get("data-value"))) for r in rects] == [
        (str(year), str(s), v) for year, values in years.items() for s, v in enumerate(values)
    ]
    # Stacked: the interest sits on the principal; its top is the year's total.
    for principal, interest in zip(rects[::2], rects[1::2], strict=True):
        assert abs(float(principal.get("y")) + float(principal.get("height")) - y0) < 0.11
        assert abs(float(interest.get("y")) + float(interest.get("height")) - float(principal.get("y"))) < 0.11
        total = Decimal(principal.get("data-value")) + Decimal(interest.get("data-value"))
        assert abs(value_at(float(interest.get("y"))) - total) <= pixel
    assert "应还本金合计" in text_alternative(bars)[1]


def test_plan_charts_cost_no_query(member_client, loans, settings):
    _, active, _ = loans
    url = reverse("inquiry:plan") + f"?contract={active.contract_no}"
    settings.PAGE_CACHE_SECONDS = 0
    member_client.get(url)
    counts = {}
    for on in (True, False):
        settings.INQUIRY_CHARTS = on
        with CaptureQueriesContext(connection) as queries:
            member_client.get(url)
        counts[on] = len(queries)
    assert counts[True] == counts[False]


def test_loan_info_draws_repaid_against_outstanding_with_the_amounts(member_client, loans):
    settled, active, pending = loans
    html = member_client.get(reverse("inquiry:loan_info") + f"?contract={active.contract_no}").content.decode()
    svg = svg_of(html, "loan-parts")
    repaid, outstanding = svg.findall(f"{SVG}rect")[1:]
    assert Decimal(repaid.get("data-value")) == active.amount - active.outstanding_principal == Decimal("2674.50")
    assert Decimal(outstanding.get("data-value")) == Decimal("297325.50")
    width = float(svg.get("viewBox").split()[2])
    assert abs(float(repaid.get("width")) - width * 2674.50 / 300000) <= 0.1
    assert abs(float(outstanding.get("x")) - float(repaid.get("width"))) <= 0.1
    assert 'data-testid="loan-parts-part-0">2,674.50</span>' in html
    assert 'data-testid="loan-parts-part-1">297,325.50</span>' in html
    assert text_alternative(svg)[1] == "已还本金与剩余本金:已还本金2,674.50元,占0.9%,剩余本金297,325.50元,占99.1%。"
    html = member_client.get(reverse("inquiry:loan_info") + f"?contract={settled.contract_no}").content.decode()
    assert "已还本金150,000.00元,占100.0%" in html
    html = member_client.get(reverse("inquiry:loan_info") + f"?contract={pending.contract_no}").content.decode()
    assert "chart-loan-parts" not in html  # 未发放: the notice only


def test_home_sparkline_is_the_last_24_months(member_client, member, account, settings):
    today = date.today()
    balance = Decimal("0.00")
    for months_ago in range(30, -1, -1):
        day = date(today.year, today.month, 1) - timedelta(days=31 * months_ago)
        balance += Decimal("100.25")
        LedgerEntryFactory(
            account=account, booked_on=day.replace(day=2), amount=Decimal("100.25"), balance_after=balance
        )
    settings.PAGE_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as with_chart:
        html = member_client.get(reverse("tasks:home")).content.decode()
    svg = svg_of(html, "home-balance")
    months = selectors.ledger_recent_months(member=member)
    points = line_points(svg)
    assert len(points) == len(months) == 24
    assert [(period, value) for period, value, _, _ in points] == [(m.period, m.balance) for m in months]
    assert points[-1][1] == balance
    value_at, pixel, _ = axis(svg)
    for _, value, _, y in points:
        assert abs(value_at(y) - value) <= pixel
    assert text_alternative(svg)[0] == "近24个月账户余额(月末)"
    settings.INQUIRY_CHARTS = False
    with CaptureQueriesContext(connection) as without:
        html = member_client.get(reverse("tasks:home")).content.decode()
    assert "chart-home-balance" not in html
    assert len(with_chart) == len(without) + 1


def test_the_ledger_certificate_prints_the_pages_charts(member, account, settings):
    from inquiry.certificates import documents

    thirty_years(account)
    document = documents.ledger_document(member=member, start=START, end=END)
    rows = selectors.ledger_entries(member=member, start=START, end=END).entries
    balance = document.context["balance_chart"]
    assert list(zip(balance.labels, balance.values, strict=True)) == year_end_balances(rows, END)
    assert document.context["years_chart"].desc.startswith("各缴存年度缴存与提取:1996-1997年度至2026-2027年度")
    settings.INQUIRY_CHARTS = False
    assert "balance_chart" not in documents.ledger_document(member=member, start=START, end=END).context


def test_a_year_is_drawn_month_by_month(member_client, member, account):
    thirty_years(account)
    start, end = date(2025, 12, 5), date(2026, 12, 4)
    html = member_client.get(reverse("inquiry:ledger") + f"?start={start}&end={end}").content.decode()
    line = svg_of(html, "ledger-balance")
    rows = selectors.ledger_entries(member=member, start=start, end=end).entries
    months: dict[str, Decimal] = {}
    for r in rows:
        months[f"{r.booked_on.year}{r.booked_on.month:02d}"] = r.balance_after
    points = line_points(line)
    assert [(p, v) for p, v, _, _ in points] == list(months.items()) and len(points) == 12
    value_at, pixel, _ = axis(line)
    assert all(abs(value_at(y) - v) <= pixel for _, v, _, y in points)
    assert text_alternative(line)[0] == "账户余额(月末)"
