"""还款计划: the page, 数据下载 (Excel) and 打印 (PDF)."""

import re
from datetime import date
from decimal import Decimal
from http import HTTPStatus
from io import BytesIO
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from inquiry import amortization
from inquiry.selectors import PlanResult
from inquiry.tests.factories import LoanContractFactory
from zzgjj_portal.money import format_money

pytestmark = pytest.mark.django_db
URL = reverse("inquiry:plan")
PRINT_URL = reverse("inquiry:plan_print")


def test_plan_is_computed_from_the_current_outstanding_and_next_due(member_client, loans):
    _, active, _ = loans
    response = member_client.get(URL, {"contract": active.contract_no})
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    for text in ["应还年月", "应还日期", "应还本金", "应还利息", "应还本息", "数据下载", "打印"]:
        assert text in html
    rows = response.context["page_obj"].paginator.object_list
    assert len(rows) == 237
    expected = amortization.equal_installment_schedule(Decimal("297325.50"), Decimal("0.0325"), 237, date(2020, 12, 1))
    assert rows == expected
    # 297,325.50 × 0.0325 / 12 = 805.2565… → 805.26, the first interest.
    assert rows[0].interest == Decimal("805.26") and rows[0].period == "202012"
    assert "805.26" in html


def test_plan_follows_a_prepayment(member_client, member):
    # After a prepayment the core system reports a smaller outstanding: the plan shrinks with it.
    loan = LoanContractFactory(
        member=member, outstanding_principal=Decimal("100000.00"), remaining_months=120, next_due_on=date(2026, 1, 31)
    )
    rows = member_client.get(URL, {"contract": loan.contract_no}).context["page_obj"].paginator.object_list
    assert sum(r.principal for r in rows) == Decimal("100000.00")
    assert [r.due_date for r in rows[:2]] == [date(2026, 1, 31), date(2026, 2, 28)]


def test_plan_filters_by_date_range_and_paginates(member_client, loans):
    _, active, _ = loans
    response = member_client.get(URL, {"contract": active.contract_no, "start": "2021-01-01", "end": "2021-12-31"})
    rows = response.context["page_obj"].paginator.object_list
    assert [r.period for r in rows] == [f"2021{m:02d}" for m in range(1, 13)]
    last = member_client.get(URL, {"contract": active.contract_no, "page": 12})
    assert len(last.context["page_obj"].object_list) == 237 - 11 * 20


def test_plan_of_a_settled_contract_says_so(member_client, loans):
    settled, _, _ = loans
    for url in (URL, PRINT_URL):
        response = member_client.get(url, {"contract": settled.contract_no, "format": "xlsx"})
        assert response["Content-Type"].startswith("text/html")
        assert "此合同【ZZ2012000001】的贷款已结清" in response.content.decode()


def test_plan_of_a_contract_not_disbursed_says_so(member_client, loans):
    _, _, pending = loans
    for url in (URL, PRINT_URL):
        html = member_client.get(url, {"contract": pending.contract_no}).content.decode()
        assert "此合同【ZZ2026000003】的贷款未发放" in html


def test_plan_excel_download(member_client, member, loans):
    _, active, _ = loans
    response = member_client.get(
        URL, {"contract": active.contract_no, "start": "2021-01-01", "end": "2021-06-30", "format": "xlsx"}
    )
    assert response.status_code == HTTPStatus.OK
    name = unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert name == "还款计划_ZZ2020000002.xlsx"
    sheet = load_workbook(BytesIO(response.content)).active
    assert "缴存人还款计划表" in sheet["A1"].value
    assert (
        member.name in sheet["A2"].value and "370402" in sheet["A2"].value and member.id_number not in sheet["A2"].value
    )
    assert "ZZ2020000002" in sheet["A3"].value and "2021-01-01 至 2021-06-30" in sheet["A3"].value
    assert [c.value for c in sheet[4]] == ["应还年月", "应还日期", "应还本金", "应还利息", "应还本息"]
    assert sheet.freeze_panes == "A5"
    rows = list(sheet.iter_rows(min_row=5))
    assert len(rows) == 6 + 1
    period, due, principal, interest, total = rows[0]
    assert period.value == "202101" and period.data_type == "s"
    assert due.is_date and due.value.date() == date(2021, 1, 1) and due.number_format == "yyyy-mm-dd"
    assert principal.number_format == interest.number_format == total.number_format == "#,##0.00"
    assert total.value == pytest.approx(1701.59)
    assert rows[-1][0].value == "合计" and rows[-1][4].value == pytest.approx(1701.59 * 6)


def pdf_text(content: bytes) -> tuple[list[str], int]:
    reader = PdfReader(BytesIO(content))
    return [page.extract_text() for page in reader.pages], len(reader.pages)


def test_plan_print_is_a_pdf_with_chinese_text_and_figures(member_client, member, loans):
    _, active, _ = loans
    response = member_client.get(PRINT_URL, {"contract": active.contract_no})
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    pages, count = pdf_text(response.content)
    text = "\n".join(pages)
    assert count >= 5  # 237 rows
    for words in ["缴存人还款计划表", "枣庄市住房公积金管理中心", member.name, "370402********", "ZZ2020000002"]:
        assert words in text, words
    assert "805.26" in text and "1,701.59" in text
    assert re.search(r"打印日期:\d{4}-\d{2}-\d{2}", text)
    # Header repeated and page numbers on every page, in the margin boxes.
    for number, page in enumerate(pages, start=1):
        assert "应还本息" in page, number
        assert f"第 {number} 页 共 {count} 页" in page, number


# Speed (a 360-row plan printed in under 3 s, exported in under 1 s) is
# measured by `manage.py benchmark_exports`, not by timed tests, which are
# flaky on a shared machine. These check that the long plans come out whole.
@pytest.fixture
def loan_360(member):
    """A new 30-year loan: the longest plan there is."""
    return LoanContractFactory(
        member=member,
        amount=Decimal("400000.00"),
        outstanding_principal=Decimal("400000.00"),
        remaining_months=360,
        next_due_on=date(2026, 12, 20),
    )


def test_plan_print_of_360_rows_has_every_row(member_client, loan_360):
    loan = loan_360
    response = member_client.get(PRINT_URL, {"contract": loan.contract_no})
    pages, count = pdf_text(response.content)
    expected = amortization.schedule(
        loan.repayment_method, loan.outstanding_principal, loan.annual_rate, 360, loan.next_due_on
    )
    # Every row, in order, with all five of its values on one line.
    row_lines = [line for page in pages for line in page.splitlines() if re.match(r"\d{6} \d{4}-\d{2}-\d{2} ", line)]
    assert row_lines == [
        " ".join([r.period, f"{r.due_date:%Y-%m-%d}", *map(format_money, (r.principal, r.interest, r.total))])
        for r in expected
    ]
    plan = PlanResult.of(expected)
    assert (
        f"合计 {format_money(plan.principal_total)} {format_money(plan.interest_total)} {format_money(plan.total)}"
        in (pages[-1])
    )
    assert f"第 {count} 页 共 {count} 页" in pages[-1]


def test_plan_excel_of_360_rows_has_every_row(member_client, loan_360):
    loan = loan_360
    response = member_client.get(URL, {"contract": loan.contract_no, "format": "xlsx"})
    assert load_workbook(BytesIO(response.content)).active.max_row == 4 + 360 + 1


def test_plan_totals_are_the_same_on_the_page_in_the_file_and_in_the_print(member_client, loans):
    _, active, _ = loans
    query = {"contract": active.contract_no, "start": "2021-01-01", "end": "2022-06-30"}
    plan = PlanResult.of(
        [
            row
            for row in amortization.equal_installment_schedule(
                Decimal("297325.50"), Decimal("0.0325"), 237, date(2020, 12, 1)
            )
            if date(2021, 1, 1) <= row.due_date <= date(2022, 6, 30)
        ]
    )
    assert plan.principal_total + plan.interest_total == plan.total
    figures = [format_money(plan.principal_total), format_money(plan.interest_total), format_money(plan.total)]

    page = member_client.get(URL, query)
    assert page.context["plan"] == plan
    html = page.content.decode()
    for testid, figure in zip(["principal-total", "interest-total", "plan-total"], figures, strict=True):
        assert f'data-testid="{testid}">{figure}<' in html

    sheet = load_workbook(BytesIO(member_client.get(URL, query | {"format": "xlsx"}).content)).active
    footer = [cell.value for cell in list(sheet.iter_rows(min_row=5))[-1]]
    assert footer[0] == "合计"
    assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in footer[2:]] == [
        plan.principal_total,
        plan.interest_total,
        plan.total,
    ]

    pages, _ = pdf_text(member_client.get(PRINT_URL, query).content)
    assert f"合计 {' '.join(figures)}" in pages[-1]


def test_plan_is_computed_once_per_contract_state_and_follows_a_change(loans):
    from inquiry import selectors

    _, active, _ = loans
    selectors._schedule.cache_clear()
    first = selectors.loan_plan(loan=active, start=None, end=None)
    again = selectors.loan_plan(loan=active, start=None, end=None)
    assert again == first and selectors._schedule.cache_info().hits == 1
    expected = amortization.schedule(
        active.repayment_method, active.outstanding_principal, active.annual_rate, active.remaining_months,
        active.next_due_on,
    )  # fmt: skip
    assert first.rows == expected
    # A posting changes the outstanding principal: a new plan, not the cached one.
    active.outstanding_principal -= Decimal("1000.00")
    changed = selectors.loan_plan(loan=active, start=None, end=None)
    assert changed != first and changed.principal_total == active.outstanding_principal
