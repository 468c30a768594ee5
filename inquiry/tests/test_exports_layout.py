"""What the Excel downloads contain, cell by cell, as a reader sees them.

Members and the center's staff open these files in Excel and WPS, so the
files are pinned as openpyxl reads them back: every cell's value and type,
number format, font, fill, border, alignment and quote prefix, the merged
title lines, column widths, frozen header, print titles and margins. A change
to how the file is written (another library, a faster path) must leave all of
this as it is; a change to what the file shows must change this test too.

The layout is written out here, not taken from inquiry.exports, so that the
test fails when the file changes.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from inquiry import amortization
from inquiry.models import LedgerEntry
from inquiry.tests.factories import LedgerEntryFactory, LoanContractFactory
from zzgjj_portal.masking import mask_id_number

pytestmark = pytest.mark.django_db

MONEY = "#,##0.00"
DATE = "yyyy-mm-dd"
CENTER = "枣庄市住房公积金管理中心"


@dataclass(frozen=True)
class Look:
    """One cell as a spreadsheet shows it. Fonts: the data cells have the
    workbook's default font (Calibri 11, theme colour 1); the title and the
    header name only what they change (no font name, the header no size)."""

    value: object = None
    type: str = "n"
    number_format: str = "General"
    font_name: str | None = "Calibri"
    size: float | None = 11.0
    bold: bool = False
    fill: str | None = None  # a solid fill's RGB
    border_bottom: tuple | None = None  # (style, RGB)
    align: str | None = None
    quote_prefix: bool = False


BLANK = Look()
TITLE = dict(font_name=None, size=14.0, bold=True, align="center")
# The totals row: bold, and like the header no font name or size of its own.
BOLD = dict(font_name=None, size=None, bold=True)
HEADER = dict(font_name=None, size=None, bold=True, fill="EEF3F9", border_bottom=("thin", "999999"), align="center")


def text(value, **style) -> Look:
    return Look(value, "s", **style)


def money(value: Decimal | None, **style) -> Look:
    return Look(float(value), "n", MONEY, **style) if value is not None else Look(**style)


def day(value: date) -> Look:
    return Look(datetime(value.year, value.month, value.day), "d", DATE)


def look(cell) -> Look:
    font, fill, border = cell.font, cell.fill, cell.border
    bottom = (border.bottom.style, border.bottom.color.rgb[-6:]) if border.bottom and border.bottom.style else None
    # Other sides, italics, colours and wrapping: none anywhere today.
    assert not any(side and side.style for side in (border.top, border.left, border.right))
    assert not font.i and not font.u and not font.strike
    assert font.color is None or (font.color.type, font.color.theme) == ("theme", 1)
    assert not cell.alignment.wrap_text and cell.alignment.vertical is None
    return Look(
        value=cell.value,
        # An empty cell shows nothing, whatever type it was written with.
        type=cell.data_type if cell.value is not None else "n",
        number_format=cell.number_format,
        font_name=font.name,
        size=font.sz,
        bold=bool(font.b),
        fill=fill.fgColor.rgb[-6:] if fill.fill_type == "solid" else None,
        border_bottom=bottom,
        align=cell.alignment.horizontal,
        quote_prefix=bool(cell.quotePrefix),
    )


def assert_file(content: bytes, *, title: str, info: list[str], widths: dict, header: list[str], rows, footer):
    """The whole sheet: title, info lines, header, `rows` and `footer` (lists
    of Look), and everything around them."""
    workbook = load_workbook(BytesIO(content))
    assert workbook.sheetnames == [title]
    ws = workbook.active
    assert ws.title == title and ws.sheet_state == "visible"
    width = len(header)
    last = get_column_letter(width)
    expected = [
        [text(f"{CENTER} {title}", **TITLE)] + [BLANK] * (width - 1),
        *([text(line)] + [BLANK] * (width - 1) for line in info),
        [text(name, **HEADER) for name in header],
        *rows,
        footer,
    ]
    assert ws.max_row == len(expected) and ws.max_column == width
    actual = [[look(cell) for cell in row] for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=width)]
    for number, (got, want) in enumerate(zip(actual, expected, strict=True), start=1):
        assert got == want, f"row {number}"
    # The title and the info lines span the table's width.
    assert sorted(str(r) for r in ws.merged_cells.ranges) == sorted(f"A{n}:{last}{n}" for n in range(1, len(info) + 2))
    header_row = len(info) + 2
    assert ws.freeze_panes == f"A{header_row + 1}"
    assert ws.print_title_rows == f"${header_row}:${header_row}" and ws.print_title_cols is None
    assert not ws.print_area and ws.auto_filter.ref is None
    assert {k: (d.width, d.customWidth) for k, d in ws.column_dimensions.items()} == {
        k: (float(w), True) for k, w in widths.items()
    }
    assert all(d.height is None for d in ws.row_dimensions.values())
    margins = ws.page_margins
    assert (margins.left, margins.right, margins.top, margins.bottom, margins.header, margins.footer) == (
        0.75, 0.75, 1.0, 1.0, 0.5, 0.5,
    )  # fmt: skip
    setup = ws.page_setup
    assert (setup.orientation, setup.paperSize, setup.scale, setup.fitToWidth, setup.fitToHeight) == (None,) * 5
    assert ws.sheet_properties.pageSetUpPr is None or not ws.sheet_properties.pageSetUpPr.fitToPage
    view = ws.sheet_view
    assert view.showGridLines is None and view.zoomScale is None and view.rightToLeft is None
    return ws


LEDGER_URL = reverse("inquiry:ledger")
LEDGER_WIDTHS = {"A": 13, "B": 10, "C": 10, "D": 14, "E": 14, "F": 15, "G": 28}
LEDGER_HEADER = ["业务日期", "业务类型", "汇缴年月", "收入", "支出", "余额", "摘要"]


def ledger_entries(account) -> list[LedgerEntry]:
    """Every kind of entry, income and outgo, a pending withdrawal, an entry
    with no period, and summaries a spreadsheet could misread: formula-like
    text, XML's special characters, leading and trailing blanks."""
    rows = [
        (date(2025, 1, 15), LedgerEntry.Kind.MONTHLY_DEPOSIT, "202501", "1200.10", "单位汇缴", False),
        (date(2025, 2, 15), LedgerEntry.Kind.BACK_PAYMENT, "202412", "600.00", "补缴2024年12月", False),
        (date(2025, 3, 1), LedgerEntry.Kind.WITHDRAWAL, "", "-500.00", "-提取@公式", False),
        (date(2025, 3, 1), LedgerEntry.Kind.WITHDRAWAL, "", "-99.99", '=HYPERLINK("http://evil","点击")', False),
        (date(2025, 5, 20), LedgerEntry.Kind.TRANSFER_IN, "", "35000.55", 'A&B <转入> "单位"', False),
        (date(2025, 6, 30), LedgerEntry.Kind.INTEREST, "", "1234567.89", "  年度结息  ", False),
        (date(2025, 7, 15), LedgerEntry.Kind.TRANSFER_OUT, "", "-0.01", "＝全角", False),
        (date(2025, 8, 15), LedgerEntry.Kind.WITHDRAWAL, "", "-400.20", "网上租房提取", True),
    ]
    balance = Decimal("0.00")
    entries = []
    for booked_on, kind, period, amount, summary, pending in rows:
        balance += Decimal(amount)
        entries.append(
            LedgerEntryFactory(
                account=account,
                booked_on=booked_on,
                kind=kind,
                period=period,
                amount=Decimal(amount),
                balance_after=balance,
                summary=summary,
                pending=pending,
            )
        )
    # Outside the range: not in the file.
    LedgerEntryFactory(account=account, booked_on=date(2024, 12, 31), amount=Decimal("1.00"))
    return entries


def test_ledger_file_cell_by_cell(member_client, member, account):
    entries = ledger_entries(account)
    response = member_client.get(LEDGER_URL, {"start": "2025-01-01", "end": "2025-12-31", "format": "xlsx"})
    assert response.status_code == 200

    formula_like = {"-提取@公式", '=HYPERLINK("http://evil","点击")', "＝全角"}
    rows = [
        [
            day(e.booked_on),
            text(e.get_kind_display()),
            text(e.period) if e.period else BLANK,
            money(e.amount if e.amount > 0 else None),
            money(-e.amount if e.amount < 0 else None),
            money(e.balance_after),
            text(
                f"【待入账】{e.summary}" if e.pending else e.summary,
                quote_prefix=e.summary in formula_like,
            ),
        ]
        for e in entries
    ]
    # The kinds as members read them, in the order booked.
    assert [row[1].value for row in rows] == ["汇缴", "补缴", "提取", "提取", "转入", "结息", "转出", "提取"]
    income = sum((e.amount for e in entries if e.amount > 0), Decimal(0))
    outgo = -sum((e.amount for e in entries if e.amount < 0), Decimal(0))
    bold = Look(**BOLD)
    footer = [
        # 合计 stands in the date column and carries its date format (no visible effect on text).
        Look("合计", "s", DATE, **BOLD),
        bold,
        bold,
        money(income, **BOLD),
        money(outgo, **BOLD),
        bold,
        bold,
    ]
    assert_file(
        response.content,
        title="缴存支取明细",
        info=[
            f"姓名:{member.name}    证件号码:{mask_id_number(member.id_number)}",
            "查询日期:2025-01-01 至 2025-12-31",
        ],
        widths=LEDGER_WIDTHS,
        header=LEDGER_HEADER,
        rows=rows,
        footer=footer,
    )


def test_ledger_file_of_an_empty_range_has_zero_totals(member_client, member, account):
    response = member_client.get(LEDGER_URL, {"start": "2010-01-01", "end": "2010-12-31", "format": "xlsx"})
    bold = Look(**BOLD)
    assert_file(
        response.content,
        title="缴存支取明细",
        info=[
            f"姓名:{member.name}    证件号码:{mask_id_number(member.id_number)}",
            "查询日期:2010-01-01 至 2010-12-31",
        ],
        widths=LEDGER_WIDTHS,
        header=LEDGER_HEADER,
        rows=[],
        footer=[Look("合计", "s", DATE, **BOLD), bold, bold, money(Decimal(0), **BOLD),
                money(Decimal(0), **BOLD), bold, bold],
    )  # fmt: skip


PLAN_URL = reverse("inquiry:plan")


@pytest.mark.parametrize(
    ("query", "months", "shown"),
    [
        ({}, 360, "不限 至 不限"),
        ({"start": "2027-03-01", "end": "2027-08-31"}, 6, "2027-03-01 至 2027-08-31"),
    ],
)
def test_plan_file_cell_by_cell(member_client, member, query, months, shown):
    loan = LoanContractFactory(
        member=member,
        contract_no="ZZ2026000360",
        amount=Decimal("400000.00"),
        outstanding_principal=Decimal("400000.00"),
        remaining_months=360,
        next_due_on=date(2026, 12, 20),
    )
    response = member_client.get(PLAN_URL, {"contract": loan.contract_no, "format": "xlsx"} | query)
    assert response.status_code == 200

    schedule = amortization.schedule(
        loan.repayment_method, loan.outstanding_principal, loan.annual_rate, 360, loan.next_due_on
    )
    start, end = query.get("start"), query.get("end")
    shown_rows = [
        r for r in schedule if (not start or r.due_date >= date.fromisoformat(start))
        and (not end or r.due_date <= date.fromisoformat(end))
    ]  # fmt: skip
    assert len(shown_rows) == months
    rows = [
        [text(r.period), day(r.due_date), money(r.principal), money(r.interest), money(r.total)] for r in shown_rows
    ]
    footer = [
        Look("合计", "s", **BOLD),
        Look(**BOLD),
        money(sum((r.principal for r in shown_rows), Decimal(0)), **BOLD),
        money(sum((r.interest for r in shown_rows), Decimal(0)), **BOLD),
        money(sum((r.total for r in shown_rows), Decimal(0)), **BOLD),
    ]
    assert_file(
        response.content,
        title="缴存人还款计划表",
        info=[
            f"姓名:{member.name}    证件号码:{mask_id_number(member.id_number)}",
            f"借款合同编号:ZZ2026000360    查询日期:{shown}",
        ],
        widths={"A": 11, "B": 13, "C": 14, "D": 14, "E": 14},
        header=["应还年月", "应还日期", "应还本金", "应还利息", "应还本息"],
        rows=rows,
        footer=footer,
    )
