"""inquiry/charts.py without a database: scales, ticks, geometry and the words."""

from decimal import Decimal

import pytest

from inquiry import charts
from inquiry.charts import Frame

D = Decimal


@pytest.mark.parametrize(
    ("highest", "top", "step", "unit", "labels"),
    [
        (D("0"), D(100), D(25), "元", ["0", "25", "50", "75", "100"]),
        (D("0.01"), D("0.01"), D("0.0025"), "元", None),
        (D("1234.56"), D(1500), D(500), "元", ["0", "500", "1,000", "1,500"]),
        (D("9999.99"), D(10000), D("2500"), "元", ["0", "2,500", "5,000", "7,500", "10,000"]),
        (D("99000"), D(100000), D(25000), "万元", ["0", "2.5", "5", "7.5", "10"]),
        (D("356789.01"), D(400000), D(100000), "万元", ["0", "10", "20", "30", "40"]),
        (D("12500000"), D(15000000), D(5000000), "万元", ["0", "500", "1,000", "1,500"]),
    ],
)
def test_nice_scale_has_a_nice_top_step_and_unit(highest, top, step, unit, labels):
    scale = charts.nice_scale(highest, bottom=200.0, high=10.0)
    assert (scale.top, scale.step, scale.unit) == (top, step, unit)
    assert scale.top >= highest and 3 <= len(scale.ticks) <= 6
    if labels is not None:
        assert [t.label for t in scale.ticks] == labels
    assert scale.ticks[0].at == 200.0 and scale.ticks[-1].at == 10.0


def test_scale_maps_values_and_back_and_guards_negatives():
    scale = charts.nice_scale(D("1000"), bottom=200.0, high=10.0)
    for value in (D("0"), D("123.45"), D("999.99"), D("1000")):
        assert abs(scale.value_at(scale.y(value)) - value) <= scale.top / 190 / 10
    assert scale.y(D("-5")) == 200.0  # not possible in these books; drawn at 0, never below the axis
    assert scale.y(D("5000")) == 10.0


def test_line_of_an_empty_series_says_so():
    chart = charts.line_chart("余额", [], [])
    assert chart.points == [] and chart.path == "" and chart.x_ticks == []
    assert chart.desc == "余额:没有可显示的数据。"
    assert chart.scale.top == 100


def test_line_of_one_point_sits_in_the_middle():
    chart = charts.line_chart("余额", ["202606"], [D("512.30")], speak=lambda p: f"{p[:4]}年{int(p[4:])}月")
    (point,) = chart.points
    frame = Frame()
    assert point.x == (frame.plot_left + frame.plot_right) / 2
    assert chart.path == f"M{point.x} {point.y}"
    assert chart.desc == "余额:2026年6月为512.30元。"


def test_line_of_zeros_lies_on_the_axis():
    chart = charts.line_chart("余额", ["a", "b"], [D("0.00"), D("0.00")])
    assert {p.y for p in chart.points} == {chart.scale.bottom}
    assert "最高0.00元(a)" in chart.desc and "最低0.00元(a)" in chart.desc


def test_line_of_360_points_spans_the_plot_and_reads_back_within_a_pixel():
    values = [D(i * 137 % 5000) + D("0.37") for i in range(360)]
    chart = charts.line_chart("余额", [f"m{i}" for i in range(360)], values)
    frame = chart.frame
    assert len(chart.points) == 360
    assert chart.points[0].x == frame.plot_left and chart.points[-1].x == frame.plot_right
    assert all(a.x < b.x for a, b in zip(chart.points, chart.points[1:], strict=False))
    # A viewBox unit is at most a pixel and a half at any width the portal draws it; 0.1 unit is the rounding.
    per_unit = chart.scale.top / D(str(chart.scale.bottom - chart.scale.high))
    for point, value in zip(chart.points, values, strict=True):
        assert abs(chart.scale.value_at(point.y) - value) <= per_unit * D("0.06")
    assert chart.path.count("L") == 359
    assert [t.label for t in chart.x_ticks][0] == "m0" and chart.x_ticks[-1].label == "m359"
    assert len(chart.x_ticks) == 4
    high = max(values)
    assert f"最高{high:,}元(m{values.index(high)})" in chart.desc
    assert "共360个点" in chart.desc


def test_side_by_side_bars_each_keep_their_value_and_sit_on_the_axis():
    chart = charts.bar_chart(
        "缴存与提取",
        ["缴存", "提取"],
        [("2024-25", [D("1200.00"), D("0.00")]), ("2025-26", [D("800.50"), D("300.00")])],
    )
    assert [(b.label, b.series, b.value) for b in chart.bars] == [
        ("2024-25", 0, D("1200.00")),
        ("2024-25", 1, D("0.00")),
        ("2025-26", 0, D("800.50")),
        ("2025-26", 1, D("300.00")),
    ]
    for bar in chart.bars:
        assert round(bar.y + bar.height, 1) == chart.scale.bottom
        assert abs(chart.scale.value_at(bar.y) - bar.value) < chart.scale.top / 100
    # Side by side, not overlapping.
    assert chart.bars[0].x + chart.bars[0].width <= chart.bars[1].x + 0.05
    assert "缴存合计2,000.50元,最高1,200.00元(2024-25)" in chart.desc
    assert "提取合计300.00元,最高300.00元(2025-26)" in chart.desc


def test_stacked_bars_put_the_second_series_on_the_first():
    chart = charts.bar_chart("本息", ["本金", "利息"], [("2027", [D("9000"), D("3000")])], stacked=True)
    principal, interest = chart.bars
    assert principal.x == interest.x and principal.width == interest.width
    assert round(interest.y + interest.height, 1) == principal.y
    assert abs(chart.scale.value_at(interest.y) - D("12000")) < chart.scale.top / 100
    assert chart.scale.top >= D("12000")


def test_bars_of_nothing_say_so():
    chart = charts.bar_chart("本息", ["本金", "利息"], [])
    assert chart.bars == [] and chart.desc == "本息:没有可显示的数据。"


def test_parts_bar_splits_the_width_in_proportion():
    bar = charts.loan_parts(D("75000.00"), D("225000.00"))
    repaid, outstanding = bar.parts
    assert (repaid.label, repaid.value, repaid.share) == ("已还本金", D("75000.00"), "25.0%")
    assert (repaid.x, repaid.width, outstanding.x, outstanding.width) == (0.0, 140.0, 140.0, 420.0)
    assert bar.desc == "已还本金与剩余本金:已还本金75,000.00元,占25.0%,剩余本金225,000.00元,占75.0%。"
    nothing = charts.loan_parts(D("0"), D("0"))
    assert [p.width for p in nothing.parts] == [0.0, 0.0] and nothing.parts[0].share == "0.0%"


def test_the_portals_charts_read_their_periods_in_words():
    line = charts.balance_line(["202512", "202601"], [D("100.00"), D("250.00")])
    assert line.labels == ["202512", "202601"] and [t.label for t in line.x_ticks] == ["2025-12", "2026-01"]
    assert line.periods_attr == "202512 202601" and line.values_attr == "100.00 250.00"
    assert line.desc.startswith("账户余额(月末):2025年12月至2026年1月,共2个点;起点100.00元,终点250.00元")
    years = charts.deposit_years([(2024, D("10"), D("0")), (2025, D("20"), D("5"))])
    assert [t.label for t in years.x_ticks] == ["2024-25", "2025-26"]
    assert years.desc.startswith("各缴存年度缴存与提取:2024-2025年度至2025-2026年度,共2组")
    spark = charts.balance_line(["202601"], [D("1.00")], spark=True)
    assert spark.frame == charts.SPARK and spark.name == "近24个月账户余额(月末)" and spark.x_ticks == []
