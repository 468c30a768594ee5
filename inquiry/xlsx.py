"""A small .xlsx writer for the inquiry downloads (pure: no Django, no database).

The downloads are one sheet of plain values in a handful of fixed cell
styles. openpyxl built an object per cell and per style and then serialised
them, about 0.008 ms a cell: a 30-year ledger cost 23 ms of CPU, most of its
request. This module writes the same SpreadsheetML text directly in a
seventh of that: the parts, the style table and the cell markup openpyxl 3.1
wrote (inline strings, numbers and date serials, the same fonts, fills,
borders and number formats), so Excel and WPS show the same file.
`inquiry/tests/test_exports_layout.py` pins what a reader sees of it.

Where it differs, nothing shown changes: text is plain UTF-8 (openpyxl wrote
CJK as character references), the author is the caller's (not "openpyxl"),
control characters XML cannot hold are dropped (openpyxl failed on them),
and the zip is deflated at level 1.
"""

import re
import zipfile
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

# The Office theme that openpyxl ships and wrote into every file: the default
# font's colour (theme 1) and its scheme refer to it.
THEME_XML = Path(__file__).with_name("xlsx_theme1.xml").read_text(encoding="utf-8")
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# Cell styles: indices into STYLES_XML's cellXfs, in that order.
PLAIN = 0
TITLE = 1  # bold 14 pt, centred
HEADER = 2  # bold, light blue fill, thin grey bottom border, centred
DATE = 3  # yyyy-mm-dd
MONEY = 4  # #,##0.00 (built-in format 4)
QUOTED = 5  # text that must stay text even when edited (quote prefix)
BOLD = 6
BOLD_DATE = 7
BOLD_MONEY = 8
BOLD_QUOTED = 9

# openpyxl's fonts as they were: the default Calibri 11 in theme colour 1,
# and bold fonts naming only what they change (Font(bold=True, size=14),
# Font(bold=True)), which readers fill in from the default.
STYLES_XML = (
    f'<styleSheet xmlns="{MAIN_NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="3">'
    '<font><name val="Calibri"/><family val="2"/><color theme="1"/><sz val="11"/><scheme val="minor"/></font>'
    '<font><b val="1"/><sz val="14"/></font>'
    '<font><b val="1"/></font>'
    "</fonts>"
    '<fills count="3"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="00EEF3F9"/></patternFill></fill></fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><bottom style="thin"><color rgb="00999999"/></bottom></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="10">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" pivotButton="0" quotePrefix="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" applyAlignment="1" pivotButton="0" quotePrefix="0"'
    ' xfId="0"><alignment horizontal="center"/></xf>'
    '<xf numFmtId="0" fontId="2" fillId="2" borderId="1" applyAlignment="1" pivotButton="0" quotePrefix="0"'
    ' xfId="0"><alignment horizontal="center"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" pivotButton="0" quotePrefix="0" xfId="0"/>'
    '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" pivotButton="0" quotePrefix="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" pivotButton="0" quotePrefix="1" xfId="0"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" pivotButton="0" quotePrefix="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="2" fillId="0" borderId="0" pivotButton="0" quotePrefix="0" xfId="0"/>'
    '<xf numFmtId="4" fontId="2" fillId="0" borderId="0" pivotButton="0" quotePrefix="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" pivotButton="0" quotePrefix="1" xfId="0"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" hidden="0"/></cellStyles>'
    '<tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/>'
    "</styleSheet>"
)

CONTENT_TYPES_XML = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/styles.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>'
    '<Override PartName="/docProps/core.xml"'
    ' ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/workbook.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "</Types>"
)

ROOT_RELS_XML = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Type="{REL_NS}/officeDocument" Target="xl/workbook.xml" Id="rId1"/>'
    '<Relationship Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"'
    ' Target="docProps/core.xml" Id="rId2"/>'
    f'<Relationship Type="{REL_NS}/extended-properties" Target="docProps/app.xml" Id="rId3"/>'
    "</Relationships>"
)

WORKBOOK_RELS_XML = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Type="{REL_NS}/worksheet" Target="/xl/worksheets/sheet1.xml" Id="rId1"/>'
    f'<Relationship Type="{REL_NS}/styles" Target="styles.xml" Id="rId2"/>'
    f'<Relationship Type="{REL_NS}/theme" Target="theme/theme1.xml" Id="rId3"/>'
    "</Relationships>"
)

APP_XML = (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Microsoft Excel Compatible</Application></Properties>"
)

# Characters XML 1.0 cannot hold at all (C0 controls but tab, newline and
# carriage return; lone surrogates, which UTF-8 cannot encode either).
# openpyxl refused them (a 500); no reader could show them.
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What text needs done before it goes between tags: the three markup
# characters, and a carriage return, which XML would read back as a newline.
NEEDS_ESCAPE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel counts days from 1899-12-30, as if 1900 had had 29 February.
EPOCH = date(1899, 12, 30)
FIRST_REAL_DAY = 61  # 1900-03-01


def _escape(value: str) -> str:
    if NEEDS_ESCAPE.search(value) is None:
        return value
    value = ILLEGAL.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _escape_attribute(value: str) -> str:
    return _escape(value).replace('"', "&quot;")


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def date_serial(value: date) -> int:
    """The day as Excel numbers it (the date part of a datetime)."""
    if isinstance(value, datetime):
        value = value.date()
    serial = (value - EPOCH).days
    return serial if serial >= FIRST_REAL_DAY else serial - 1


def text_cell(ref: str, value: str, style: int = PLAIN) -> str:
    """An inline string cell; empty text is an empty cell (none if PLAIN)."""
    if NEEDS_ESCAPE.search(value) is not None:
        value = ILLEGAL.sub("", value)
    if not value:
        return blank_cell(ref, style)
    space = ' xml:space="preserve"' if value.strip() != value else ""
    styled = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{styled} t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'


def number_cell(ref: str, value: Decimal | int | float, style: int = PLAIN) -> str:
    # As openpyxl wrote numbers (%.16g of the float): a Decimal's value to
    # the double a spreadsheet holds anyway.
    styled = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{styled} t="n"><v>{float(value):.16g}</v></c>'


def date_cell(ref: str, value: date, style: int = DATE) -> str:
    return f'<c r="{ref}" s="{style}" t="n"><v>{date_serial(value)}</v></c>'


def blank_cell(ref: str, style: int) -> str:
    """An empty cell that still carries a style (bold, say); PLAIN writes nothing."""
    return f'<c r="{ref}" s="{style}"/>' if style else ""


def row_xml(number: int, cells: Iterable[str]) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


def _sheet_xml(*, rows: list[str], widths: list[float], merged: list[str], frozen_rows: int, last_row: int) -> str:
    last = f"{column_letter(len(widths))}{last_row}"
    cols = "".join(
        f'<col width="{width:g}" customWidth="1" min="{index}" max="{index}"/>'
        for index, width in enumerate(widths, start=1)
    )
    merges = "".join(f'<mergeCell ref="{ref}"/>' for ref in merged)
    merge_cells = f'<mergeCells count="{len(merged)}">{merges}</mergeCells>' if merged else ""
    pane = (
        f'<pane ySplit="{frozen_rows}" topLeftCell="A{frozen_rows + 1}" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A1" sqref="A1"/>'
        if frozen_rows
        else '<selection activeCell="A1" sqref="A1"/>'
    )
    return (
        f'<worksheet xmlns="{MAIN_NS}"><sheetPr><outlinePr summaryBelow="1" summaryRight="1"/><pageSetUpPr/>'
        f'</sheetPr><dimension ref="A1:{last}"/><sheetViews><sheetView workbookViewId="0">{pane}</sheetView>'
        f'</sheetViews><sheetFormatPr baseColWidth="8" defaultRowHeight="15"/><cols>{cols}</cols>'
        f"<sheetData>{''.join(rows)}</sheetData>{merge_cells}"
        '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>'
    )


def _workbook_xml(sheet_name: str, print_title_row: int | None) -> str:
    defined = ""
    if print_title_row:
        quoted = _escape(sheet_name.replace("'", "''"))
        defined = (
            '<definedNames><definedName name="_xlnm.Print_Titles" localSheetId="0">'
            f"'{quoted}'!${print_title_row}:${print_title_row}</definedName></definedNames>"
        )
    return (
        f'<workbook xmlns="{MAIN_NS}"><workbookPr/><workbookProtection/><bookViews>'
        '<workbookView visibility="visible" minimized="0" showHorizontalScroll="1" showVerticalScroll="1"'
        ' showSheetTabs="1" tabRatio="600" firstSheet="0" activeTab="0" autoFilterDateGrouping="1"/></bookViews>'
        f'<sheets><sheet xmlns:r="{REL_NS}" name="{_escape_attribute(sheet_name)}" sheetId="1" state="visible"'
        f' r:id="rId1"/></sheets>{defined}<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )


def _core_xml(creator: str, now: datetime) -> str:
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    terms = 'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    return (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties">'
        f'<dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">{_escape(creator)}</dc:creator>'
        f'<dcterms:created {terms} xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified {terms} xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


INVALID_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def workbook_bytes(
    *,
    sheet_name: str,
    rows: list[str],
    last_row: int,
    widths: list[float],
    merged: Iterable[str] = (),
    frozen_rows: int = 0,
    print_title_row: int | None = None,
    creator: str = "",
    now: datetime | None = None,
) -> bytes:
    """An .xlsx file of one sheet: `rows` are `row_xml` strings (rows 1 to
    `last_row`, in order), `widths` the column widths in characters,
    `merged` ranges such as "A1:E1", the first `frozen_rows` rows frozen,
    and `print_title_row` repeated at the top of every printed page."""
    if not 0 < len(sheet_name) <= 31 or INVALID_SHEET_NAME.search(sheet_name):
        raise ValueError(f"not a sheet name Excel accepts: {sheet_name!r}")
    sheet = _sheet_xml(rows=rows, widths=widths, merged=list(merged), frozen_rows=frozen_rows, last_row=last_row)
    parts = [
        ("docProps/app.xml", APP_XML),
        ("docProps/core.xml", _core_xml(creator, now or datetime.now(UTC))),
        ("xl/theme/theme1.xml", THEME_XML),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/styles.xml", STYLES_XML),
        ("_rels/.rels", ROOT_RELS_XML),
        ("xl/workbook.xml", _workbook_xml(sheet_name, print_title_row)),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS_XML),
        ("[Content_Types].xml", CONTENT_TYPES_XML),
    ]
    buffer = BytesIO()
    # Deflate level 1: half the CPU of the default 6 for a file ~20% larger
    # (21 kB instead of 17 kB for 30 years of ledger); what the file shows is the same.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, xml in parts:
            archive.writestr(name, xml.encode())
    return buffer.getvalue()
