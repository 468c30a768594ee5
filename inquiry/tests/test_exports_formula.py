"""Excel export: text that a spreadsheet could read as a formula stays text."""

from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from inquiry.exports import _put, looks_like_formula


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
    workbook = Workbook()
    cell = workbook.active.cell(row=1, column=1)
    _put(cell, value, "text")
    data = BytesIO()
    workbook.save(data)
    saved = load_workbook(BytesIO(data.getvalue())).active.cell(row=1, column=1)
    # openpyxl writes through lxml, which keeps even a carriage return (as &#13;).
    assert saved.data_type == "s" and saved.value == value and saved.quotePrefix


@pytest.mark.parametrize("value", ["汇缴", "2025年1月汇缴", "A-1", "1=1", "email@example"])
def test_ordinary_text_is_left_alone(value):
    assert not looks_like_formula(value)
