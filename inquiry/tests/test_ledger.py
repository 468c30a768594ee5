"""缴存支取信息: summary, date range, entries, totals, pagination, Excel."""

from datetime import date, timedelta
from decimal import Decimal
from http import HTTPStatus
from io import BytesIO
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from inquiry import forms
from inquiry.models import LedgerEntry
from inquiry.selectors import ledger_entries
from inquiry.tests.factories import LedgerEntryFactory

pytestmark = pytest.mark.django_db
URL = reverse("inquiry:ledger")


def make_entries(account, count: int, start: date = date(2024, 1, 15)):
    """`count` monthly deposits from `start`, with running balances."""
    balance = Decimal("0.00")
    entries = []
    for month in range(count):
        booked = date(start.year + (start.month - 1 + month) // 12, (start.month - 1 + month) % 12 + 1, 15)
        balance += Decimal("1200.10")
        entries.append(
            LedgerEntryFactory(
                account=account,
                booked_on=booked,
                period=f"{booked:%Y%m}",
                amount=Decimal("1200.10"),
                balance_after=balance,
            )
        )
    return entries


def test_ledger_opens_on_the_last_12_months(member_client, account):
    today = timezone.localdate()
    LedgerEntryFactory(account=account, booked_on=today - timedelta(days=20), period="", summary="近期汇缴")
    LedgerEntryFactory(account=account, booked_on=today - timedelta(days=400), period="", summary="一年多以前")

    response = member_client.get(URL)

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    for text in [
        "缴存比例",
        "账户余额",
        "缴存基数",
        "月缴存额",
        "业务日期",
        "业务类型",
        "汇缴年月",
        "收入",
        "支出",
        "余额",
        "摘要",
    ]:
        assert text in html
    assert "近期汇缴" in html and "一年多以前" not in html
    cleaned = response.context["form"].cleaned_data
    assert cleaned["end"] == today
    assert today - timedelta(days=366) <= cleaned["start"] <= today - timedelta(days=364)


def test_ledger_lists_the_range_with_exact_totals(member_client, account):
    LedgerEntryFactory(
        account=account, booked_on=date(2025, 1, 15), amount=Decimal("0.10"), balance_after=Decimal("0.10")
    )
    LedgerEntryFactory(
        account=account, booked_on=date(2025, 2, 15), amount=Decimal("0.20"), balance_after=Decimal("0.30")
    )
    LedgerEntryFactory(
        account=account,
        booked_on=date(2025, 3, 1),
        kind=LedgerEntry.Kind.WITHDRAWAL,
        period="",
        amount=Decimal("-0.25"),
        balance_after=Decimal("0.05"),
        summary="偿还购房贷款本息提取",
    )
    LedgerEntryFactory(account=account, booked_on=date(2025, 4, 15), summary="范围外")

    response = member_client.get(URL, {"start": "2025-01-01", "end": "2025-03-31"})

    html = response.content.decode()
    assert "范围外" not in html and "偿还购房贷款本息提取" in html
    result = response.context["result"]
    # 0.1 + 0.2 is 0.30000000000000004 in float: totals must be exact Decimals.
    assert result.income_total == Decimal("0.30") and isinstance(result.income_total, Decimal)
    assert result.outgo_total == Decimal("0.25")
    assert 'data-testid="income-total">0.30<' in html
    assert 'data-testid="outgo-total">0.25<' in html


def test_ledger_selector_totals_are_exact_over_many_entries(member, account):
    make_entries(account, 120)
    result = ledger_entries(member=member, start=None, end=None)
    assert result.income_total == Decimal("1200.10") * 120
    assert result.outgo_total == Decimal("0.00")


def test_ledger_paginates_and_keeps_the_range(member_client, account):
    make_entries(account, 45)
    query = {"start": "2024-01-01", "end": "2027-12-31"}

    first = member_client.get(URL, query)
    third = member_client.get(URL, {**query, "page": 3})

    assert first.context["page_obj"].paginator.num_pages == 3
    assert len(third.context["page_obj"].object_list) == 5
    html = first.content.decode()
    assert "第 1 页 共 3 页" in html
    assert "start=2024-01-01" in html and "page=2" in html


@pytest.mark.parametrize("page", ["4", "0", "abc", "-1", "31", "1000001", "99999999999999999999", "1e3"])
def test_ledger_page_that_does_not_exist_is_404(member_client, account, page):
    make_entries(account, 45)
    response = member_client.get(URL, {"start": "2024-01-01", "end": "2027-12-31", "page": page})
    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-02-01", "end": "2026-01-01"}, forms.START_AFTER_END),
        ({"start": "2026-02-30", "end": "2026-03-01"}, forms.DATE_FORMAT_HINT),
        ({"start": "not-a-date", "end": ""}, forms.DATE_FORMAT_HINT),
        ({"start": "1990-01-01", "end": "2026-01-01"}, forms.RANGE_TOO_LONG),
        ({"start": "0001-01-01", "end": "0001-02-01"}, forms.DATE_OUT_OF_RANGE),
        ({"start": "2024-01-01", "end": "99999-12-31"}, forms.DATE_FORMAT_HINT),
    ],
)
def test_ledger_bad_dates_get_a_message_in_the_form(member_client, account, query, message):
    for extra in ({}, {"format": "xlsx"}):
        response = member_client.get(URL, {**query, **extra})
        assert response.status_code == HTTPStatus.OK
        assert response["Content-Type"].startswith("text/html")
        assert message in response.content.decode()


def test_ledger_range_of_exactly_30_years_is_accepted(member_client, account):
    response = member_client.get(URL, {"start": "1996-01-01", "end": "2026-01-01"})
    assert response.context["form"].is_valid()


def test_ledger_excel_download_matches_the_range(member_client, member, account):
    make_entries(account, 14, start=date(2025, 1, 15))
    LedgerEntryFactory(
        account=account,
        booked_on=date(2025, 6, 30),
        kind=LedgerEntry.Kind.WITHDRAWAL,
        period="",
        amount=Decimal("-500.00"),
        balance_after=Decimal("6700.50"),
        summary="-提取@公式",
    )
    LedgerEntryFactory(account=account, booked_on=date(2025, 7, 15), summary='=HYPERLINK("http://evil","点击")')

    response = member_client.get(URL, {"start": "2025-01-01", "end": "2025-12-31", "format": "xlsx"})

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "缴存支取明细_20250101-20251231.xlsx"
    sheet = load_workbook(BytesIO(response.content)).active
    assert "缴存支取明细" in sheet["A1"].value
    assert "370402" in sheet["A2"].value and "********" in sheet["A2"].value
    assert member.id_number not in sheet["A2"].value
    assert "2025-01-01 至 2025-12-31" in sheet["A3"].value
    assert [c.value for c in sheet[4]] == ["业务日期", "业务类型", "汇缴年月", "收入", "支出", "余额", "摘要"]
    assert sheet.freeze_panes == "A5"
    first = sheet[5]
    assert first[0].is_date and first[0].value.date() == date(2025, 1, 15)
    assert first[3].value == pytest.approx(1200.10) and first[3].number_format == "#,##0.00"
    assert first[5].number_format == "#,##0.00"
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert len(rows) == 12 + 2 + 1  # 12 deposits, the withdrawal, one more, the totals
    withdrawal = next(r for r in rows if r[1] == "提取")
    assert withdrawal[4] == pytest.approx(500) and withdrawal[3] is None
    total = rows[-1]
    assert total[0] == "合计" and total[3] == pytest.approx(1200.10 * 12 + 1200) and total[4] == pytest.approx(500)
    # Text that looks like a formula stays text.
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in cells)
    for prefix in ("-提取", "=HYPERLINK"):
        evil = next(c for c in cells if c.value.startswith(prefix))
        assert evil.data_type == "s" and evil.quotePrefix
    assert sheet.column_dimensions["G"].width >= 20


def test_ledger_excel_of_30_years_has_every_row(member_client, account):
    LedgerEntry.objects.bulk_create(
        LedgerEntryFactory.build(account=account, booked_on=date(1996, 11, 15) + timedelta(days=30 * n))
        for n in range(365)
    )
    response = member_client.get(URL, {"start": "1996-11-01", "end": "2026-10-31", "format": "xlsx"})
    assert load_workbook(BytesIO(response.content)).active.max_row == 4 + 365 + 1


def test_ledger_page_excel_and_print_show_a_pending_entry_as_such(member_client, account):
    from inquiry import services

    make_entries(account, 2, start=timezone.localdate().replace(day=1) - timedelta(days=40))
    account.refresh_from_db()
    account.balance = Decimal("2400.20")
    account.save()
    services.withdrawal_provisional_book(
        account=account, amount=Decimal("400.20"), reason="07", summary="网上租房提取", serial_no="WT20261130000001"
    )
    page = member_client.get(URL)
    html = page.content.decode()
    # One queryset: the page, its print (the same page, print.css) and the Excel file.
    assert 'data-testid="pending-entry">【待入账】网上租房提取</td>' in html
    assert html.count("【待入账】") == 1
    # The balance already counts it.
    assert '<dd class="amount" data-testid="balance">2,000.00</dd>' in html
    sheet = load_workbook(BytesIO(member_client.get(URL, {"format": "xlsx"}).content)).active
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    pending = [r for r in rows if r[6] and "待入账" in r[6]]
    assert pending == [pending[0]] and pending[0][6] == "【待入账】网上租房提取"
    assert pending[0][4] == pytest.approx(400.20) and pending[0][5] == pytest.approx(2000.00)
    # Once the core books it, the marker goes (and the cached page is not served stale).
    LedgerEntry.objects.filter(serial_no="WT20261130000001").update(pending=False)
    assert "【待入账】" not in member_client.get(URL).content.decode()
