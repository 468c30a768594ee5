"""Excel downloads (数据下载) of the inquiry pages, written with openpyxl.

Each export takes the rows the page's selector returned, so the page and the
file can never disagree. The sheet layout is built by pure functions
(`ledger_sheet`, `plan_sheet`) and written by `workbook_bytes`.
"""

from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from inquiry.models import LoanContract, Member
from inquiry.selectors import LedgerResult, PlanResult
from zzgjj_portal.masking import mask_id_number

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
CENTER = "枣庄市住房公积金管理中心"
# A text cell starting with one of these is a formula (or becomes one when
# the sheet is edited or re-saved as CSV) in Excel: "formula injection".
# Full-width forms too: Excel with a Chinese IME accepts ＝ as =. A leading
# tab or carriage return starts a formula in some importers; spaces before a
# formula character are skipped by Excel, so they do not make it safe.
FORMULA_PREFIXES = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
CONTROL_PREFIXES = ("\t", "\r", "\n")
LEADING_BLANKS = " \u3000\t\r\n"


def looks_like_formula(value: str) -> bool:
    """Whether a text cell could be read as a formula by a spreadsheet (pure)."""
    return value.startswith(CONTROL_PREFIXES) or value.lstrip(LEADING_BLANKS).startswith(FORMULA_PREFIXES)


@dataclass(frozen=True)
class Column:
    title: str
    kind: str  # "text", "date" or "money"
    width: int


@dataclass
class Sheet:
    """A title row, a few lines about whose data this is, a header, rows."""

    title: str
    info: list[str]
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    footer: list | None = None  # e.g. totals, under the rows


def range_text(start: date | None, end: date | None) -> str:
    """查询日期 as shown in files: `2025-11-01 至 2026-10-31`, open ends as 不限."""
    return f"{start.isoformat() if start else '不限'} 至 {end.isoformat() if end else '不限'}"


def member_line(member: Member) -> str:
    return f"姓名:{member.name}    证件号码:{mask_id_number(member.id_number)}"


LEDGER_COLUMNS = [
    Column("业务日期", "date", 13),
    Column("业务类型", "text", 10),
    Column("汇缴年月", "text", 10),
    Column("收入", "money", 14),
    Column("支出", "money", 14),
    Column("余额", "money", 15),
    Column("摘要", "text", 28),
]

PLAN_COLUMNS = [
    Column("应还年月", "text", 11),
    Column("应还日期", "date", 13),
    Column("应还本金", "money", 14),
    Column("应还利息", "money", 14),
    Column("应还本息", "money", 14),
]


def ledger_sheet(*, member: Member, start: date | None, end: date | None, result: LedgerResult) -> Sheet:
    """缴存支取明细 of a date range, with the range's totals underneath."""
    sheet = Sheet(
        title="缴存支取明细",
        info=[member_line(member), f"查询日期:{range_text(start, end)}"],
        columns=LEDGER_COLUMNS,
    )
    sheet.rows = [
        [e.booked_on, e.get_kind_display(), e.period, e.income, e.outgo, e.balance_after, e.summary_shown]
        for e in result.entries
    ]
    sheet.footer = ["合计", "", "", result.income_total, result.outgo_total, None, ""]
    return sheet


def plan_sheet(*, member: Member, loan: LoanContract, start: date | None, end: date | None, plan: PlanResult) -> Sheet:
    """还款计划 of a contract in a date range, with the range's totals underneath."""
    sheet = Sheet(
        title="缴存人还款计划表",
        info=[
            member_line(member),
            f"借款合同编号:{loan.contract_no}    查询日期:{range_text(start, end)}",
        ],
        columns=PLAN_COLUMNS,
    )
    sheet.rows = [[r.period, r.due_date, r.principal, r.interest, r.total] for r in plan.rows]
    sheet.footer = ["合计", None, plan.principal_total, plan.interest_total, plan.total]
    return sheet


def _put(cell, value, kind: str) -> None:
    cell.value = value
    if kind == "money" and value is not None:
        cell.number_format = MONEY_FORMAT
    elif kind == "date" and value is not None:
        cell.number_format = DATE_FORMAT
    elif isinstance(value, str) and looks_like_formula(value):
        # openpyxl stores "=…" as a formula; force a plain string cell and
        # mark it quote-prefixed so Excel keeps it text even after editing.
        cell.data_type = "s"
        cell.quotePrefix = True


def workbook_bytes(sheet: Sheet) -> bytes:
    """The sheet as an .xlsx file: title, info lines, frozen header, rows with
    real number and date cells, and column widths."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet.title
    width = len(sheet.columns)
    ws.cell(row=1, column=1, value=f"{CENTER} {sheet.title}").font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    for offset, line in enumerate(sheet.info, start=2):
        _put(ws.cell(row=offset, column=1), line, "text")
        ws.merge_cells(start_row=offset, start_column=1, end_row=offset, end_column=width)
    header_row = len(sheet.info) + 2
    fill = PatternFill("solid", fgColor="EEF3F9")
    thin = Side(style="thin", color="999999")
    for index, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=header_row, column=index, value=column.title)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.border = Border(bottom=thin)
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(index)].width = column.width
    kinds = [column.kind for column in sheet.columns]
    row_number = header_row
    for row in sheet.rows:
        row_number += 1
        for index, (value, kind) in enumerate(zip(row, kinds, strict=True), start=1):
            _put(ws.cell(row=row_number, column=index), value, kind)
    if sheet.footer:
        row_number += 1
        for index, (value, kind) in enumerate(zip(sheet.footer, kinds, strict=True), start=1):
            cell = ws.cell(row=row_number, column=index)
            _put(cell, value if value != "" else None, kind)
            cell.font = Font(bold=True)
    # Freeze everything above the first data row: the header stays in view.
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def content_disposition(filename: str, *, fallback: str, inline: bool = False) -> str:
    """RFC 6266 header with the Chinese name in RFC 5987 `filename*` and an
    ASCII `fallback` name for old clients."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in fallback)
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def xlsx_response(sheet: Sheet, filename: str, fallback: str) -> HttpResponse:
    response = HttpResponse(workbook_bytes(sheet), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition(filename, fallback=fallback)
    return response


def ledger_xlsx_response(*, member: Member, start: date | None, end: date | None, result: LedgerResult):
    """数据下载 of 缴存支取信息: 缴存支取明细_<start>_<end>.xlsx."""
    today = timezone.localdate()
    dates = f"{(start or today):%Y%m%d}-{(end or today):%Y%m%d}"
    sheet = ledger_sheet(member=member, start=start, end=end, result=result)
    return xlsx_response(sheet, f"缴存支取明细_{dates}.xlsx", f"ledger_{dates}.xlsx")


def plan_xlsx_response(*, member: Member, loan: LoanContract, form, plan: PlanResult):
    """数据下载 of 还款计划: 还款计划_<contract_no>.xlsx."""
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    sheet = plan_sheet(member=member, loan=loan, start=start, end=end, plan=plan)
    return xlsx_response(sheet, f"还款计划_{loan.contract_no}.xlsx", f"repayment-plan_{loan.contract_no}.xlsx")
