"""inquiry/xlsx.py, the .xlsx writer of the downloads, without Django: the
file's parts are well-formed and complete, and what goes in comes back out."""

import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from inquiry import xlsx

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def one_row_file(cells: list[str], *, sheet_name: str = "表", print_title_row: int | None = None) -> bytes:
    return xlsx.workbook_bytes(
        sheet_name=sheet_name,
        rows=[xlsx.row_xml(1, cells)],
        last_row=1,
        widths=[10.0] * max(len(cells), 1),
        print_title_row=print_title_row,
    )


def read_back(content: bytes):
    return load_workbook(BytesIO(content)).active


def test_every_part_is_well_formed_and_has_a_content_type():
    content = one_row_file([xlsx.text_cell("A1", "x"), xlsx.number_cell("B1", Decimal("1.50"), xlsx.MONEY)])
    with zipfile.ZipFile(BytesIO(content)) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
        # The XML parsed here is the writer's own output.
        for name in names:
            ElementTree.fromstring(archive.read(name))  # noqa: S314
        types = ElementTree.fromstring(archive.read("[Content_Types].xml"))  # noqa: S314
        overridden = {e.get("PartName").lstrip("/") for e in types if e.tag.endswith("Override")}
        assert overridden | {"[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels"} == names
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))  # noqa: S314
    cell_xfs = styles.find(f"{MAIN}cellXfs")
    assert int(cell_xfs.get("count")) == len(cell_xfs) == xlsx.BOLD_QUOTED + 1


def test_styles_are_what_their_names_say():
    cells = [
        xlsx.text_cell("A1", "标题", xlsx.TITLE),
        xlsx.text_cell("B1", "表头", xlsx.HEADER),
        xlsx.date_cell("C1", date(2025, 1, 1)),
        xlsx.number_cell("D1", Decimal("1234.5"), xlsx.MONEY),
        xlsx.text_cell("E1", "=1", xlsx.QUOTED),
        xlsx.text_cell("F1", "合计", xlsx.BOLD),
        xlsx.date_cell("G1", date(2025, 1, 1), xlsx.BOLD_DATE),
        xlsx.number_cell("H1", 3, xlsx.BOLD_MONEY),
        xlsx.text_cell("I1", "=2", xlsx.BOLD_QUOTED),
        xlsx.blank_cell("J1", xlsx.BOLD),
    ]
    a, b, c, d, e, f, g, h, i, j = read_back(one_row_file(cells))[1]
    assert (a.font.b, a.font.sz, a.alignment.horizontal) == (True, 14, "center")
    assert b.font.b and b.fill.fgColor.rgb[-6:] == "EEF3F9" and b.border.bottom.style == "thin"
    assert c.is_date and c.number_format == g.number_format == "yyyy-mm-dd" and g.font.b and not c.font.b
    assert d.number_format == h.number_format == "#,##0.00" and h.font.b and not d.font.b
    assert e.quotePrefix and i.quotePrefix and i.font.b and not e.font.b
    assert f.font.b and not f.quotePrefix
    assert j.value is None and j.font.b


# Text from the core system may hold anything; XML 1.0 cannot hold C0
# controls other than tab, newline and carriage return, nor U+FFFE/U+FFFF
# (nor lone surrogates, which hypothesis does not generate; see below).
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_text_comes_back_as_written(value):
    cell = read_back(one_row_file([xlsx.text_cell("A1", value)]))["A1"]
    expected = ILLEGAL.sub("", value)
    assert cell.value == (expected or None)
    if expected:
        assert cell.data_type == "s"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("A&B <转入> \"单位\" 'x'", "A&B <转入> \"单位\" 'x'"),
        ("a\r\nb\tc", "a\r\nb\tc"),
        ("  年度结息\u3000", "  年度结息\u3000"),
        ("摘\x01要\x1f", "摘要"),
        ("摘\ud800要\uffff", "摘要"),
    ],
)
def test_markup_blanks_and_control_characters(value, expected):
    content = one_row_file([xlsx.text_cell("A1", value)])
    assert read_back(content)["A1"].value == expected
    if expected != expected.strip():
        # Without it Excel drops leading and trailing blanks.
        sheet = zipfile.ZipFile(BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
        assert '<t xml:space="preserve">' in sheet


def test_empty_text_writes_no_cell_unless_styled():
    assert xlsx.text_cell("A1", "") == ""
    assert xlsx.blank_cell("A1", xlsx.PLAIN) == ""
    assert read_back(one_row_file([xlsx.text_cell("A1", "", xlsx.BOLD)]))["A1"].font.b


@pytest.mark.parametrize(
    "value", [Decimal("0.00"), Decimal("-0.01"), Decimal("1234567.89"), Decimal("12345678901234.56"), 7, 2.5]
)
def test_numbers_come_back_as_numbers(value):
    cell = read_back(one_row_file([xlsx.number_cell("A1", value, xlsx.MONEY)]))["A1"]
    assert cell.data_type == "n" and cell.value == float(value)


@pytest.mark.parametrize(
    ("value", "serial"),
    [
        (date(1900, 1, 1), 1),
        (date(1900, 2, 28), 59),
        # Excel's day 60 is 1900-02-29, which never was.
        (date(1900, 3, 1), 61),
        (date(2025, 1, 1), 45658),
        (datetime(2026, 12, 20, 15, 30), 46376),
    ],
)
def test_dates_are_excel_day_numbers(value, serial):
    assert xlsx.date_serial(value) == serial
    cell = read_back(one_row_file([xlsx.date_cell("A1", value)]))["A1"]
    day = value.date() if isinstance(value, datetime) else value
    assert cell.is_date and cell.value == datetime(day.year, day.month, day.day)


@pytest.mark.parametrize(("index", "letters"), [(1, "A"), (7, "G"), (26, "Z"), (27, "AA"), (702, "ZZ"), (703, "AAA")])
def test_column_letters(index, letters):
    assert xlsx.column_letter(index) == letters


@pytest.mark.parametrize("name", ["", "a" * 32, "a/b", "a[1]", "a:b", "a*", "a?", "a\\b"])
def test_a_sheet_name_excel_refuses_is_refused(name):
    with pytest.raises(ValueError):
        one_row_file([], sheet_name=name)


def test_sheet_name_with_quote_and_ampersand_in_print_titles():
    ws = read_back(one_row_file([xlsx.text_cell("A1", "x")], sheet_name="O'Neil & 表", print_title_row=1))
    assert ws.title == "O'Neil & 表" and ws.print_title_rows == "$1:$1"
