"""Excel export: text that a spreadsheet could read as a formula stays text."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from inquiry.exports import Column, Sheet, looks_like_formula, workbook_bytes


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        "+1",
        "-1",
        "@SUM(A1)",
        '＝HYPERLINK("http://x")',
        "＋1",
        "－1",
        "＠SUM(A1)",
        "\t=1",
        "\tplain",
        "\rplain",
        "   =1+1",
        "\u3000＝1",
        " \t+cmd",
    ],
)
def test_formula_like_text_is_detected_and_kept_as_text(value):
    assert looks_like_formula(value)
    sheet = Sheet(title="摘要", info=[value], columns=[Column("摘要", "text", 20)], rows=[[value]], footer=[value])
    saved = load_workbook(BytesIO(workbook_bytes(sheet))).active
    # The info line, the row and the totals: never a formula, always text,
    # quote-prefixed; even a carriage return comes back (written as &#13;).
    for cell in (saved["A2"], saved["A4"], saved["A5"]):
        assert cell.data_type == "s" and cell.value == value and cell.quotePrefix
    assert saved["A5"].font.b


@pytest.mark.parametrize("value", ["汇缴", "2025年1月汇缴", "A-1", "1=1", "email@example"])
def test_ordinary_text_is_left_alone(value):
    assert not looks_like_formula(value)
