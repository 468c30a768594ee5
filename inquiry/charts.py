"""Charts drawn on the server as SVG: scales, nice ticks, coordinates, paths
and the words that say what a chart shows (its text alternative).

Pure: no Django, no database. The input is a list of (label, Decimal) (or of
(label, [Decimal, …]) for bars); the output is a frozen description that the
Jinja partials templates/inquiry/partials/chart_*.html turn into <svg> markup.
Every mark keeps its exact Decimal and its period, so a page's chart can be
checked against its table (inquiry/tests/test_charts_pages.py).

Geometry is in viewBox units; the <svg> is drawn 100 % wide, so a chart
scales to a phone's width. Coordinates are rounded to 0.1 unit: far below a
pixel at any width the portal is drawn in.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from functools import lru_cache
from html import escape
from typing import NamedTuple

from zzgjj_portal.money import format_money

ZERO = Decimal("0.00")
WAN = Decimal(10000)
# From 10万 up the axis counts in 万元: "350,000" is harder to read than "35".
WAN_FROM = Decimal(100000)
UNIT_YUAN = "元"
UNIT_WAN = "万元"
# The empty chart's axis (no data, or only zeros): 0 to 100 元.
EMPTY_TOP = Decimal(100)
# Nice steps: 1, 2, 2.5 and 5 times a power of ten.
NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))

# Marks: solid blue (6.6:1 on white), hatched dark orange with its outline (6.0:1).
SOLID = "#1f5fa8"
HATCH_STROKE = "#a04a0a"

# The chart's text alternative (its <desc>), written once here.
DESC_EMPTY = "没有可显示的数据。"
DESC_LINE = (
    "{name}:{first_label}至{last_label},共{count}个点;起点{first}元,终点{last}元;"
    "最高{high}元({high_label}),最低{low}元({low_label})。"
)
DESC_ONE = "{name}:{label}为{value}元。"
DESC_BARS = "{name}:{first_label}至{last_label},共{count}组;{series}。"
DESC_BAR_SERIES = "{series}合计{total}元,最高{high}元({high_label})"
DESC_PARTS = "{name}:{parts}。"
DESC_PART = "{label}{value}元,占{share}"


@dataclass(frozen=True)
class Tick:
    value: Decimal
    at: float  # y of a value axis, x of a label axis
    label: str


@dataclass(frozen=True)
class Scale:
    """A value axis from 0 to `top`, drawn from `bottom` (y of 0) up to `high` (y of top)."""

    top: Decimal
    step: Decimal
    unit: str
    bottom: float
    high: float

    def y(self, value: Decimal) -> float:
        """The y of `value`; a negative value (not possible in these books, but
        guarded) is drawn at 0, a value above the top at the top. In floats:
        0.1 unit is far coarser than their error."""
        top = float(self.top)
        return round(self.bottom - min(max(float(value), 0.0), top) * ((self.bottom - self.high) / top), 1)

    def value_at(self, y: float) -> Decimal:
        """The value a y stands for (the inverse of `y`; tests read charts back with it)."""
        return self.top * Decimal(str((self.bottom - y) / (self.bottom - self.high)))

    @property
    def ticks(self) -> list[Tick]:
        count = int(self.top / self.step)
        return [
            Tick(self.step * i, self.y(self.step * i), tick_label(self.step * i, self.unit)) for i in range(count + 1)
        ]


def nice_step(rough: Decimal) -> Decimal:
    """The smallest nice step (1, 2, 2.5, 5 × 10ⁿ) at least `rough` (> 0)."""
    power = Decimal(10) ** rough.adjusted()  # 1000, not 1E+3: the value is written into the page
    for factor in NICE_STEPS:
        if factor * power >= rough:
            return factor * power
    return NICE_STEPS[-1] * power  # pragma: no cover - 10 × power ≥ rough always


def nice_scale(highest: Decimal, *, bottom: float, high: float, ticks: int = 4) -> Scale:
    """An axis from 0 to a nice top at or above `highest`, with about `ticks`
    steps; in 万元 from 10万 up. No data or only zeros: 0 to 100 元."""
    if highest <= 0:
        highest = EMPTY_TOP
    step = nice_step(highest / ticks)
    top = step * (highest / step).to_integral_value(rounding=ROUND_CEILING)
    unit = UNIT_WAN if top >= WAN_FROM else UNIT_YUAN
    return Scale(top=top, step=step, unit=unit, bottom=bottom, high=high)


def tick_label(value: Decimal, unit: str) -> str:
    """An axis number in the axis's unit: 12,000 (元) or 2.5 (万元)."""
    if unit == UNIT_WAN:
        shown = (value / WAN).normalize()
        return f"{shown:f}" if shown != shown.to_integral() else f"{int(shown):,}"
    return f"{int(value):,}" if value == value.to_integral() else f"{value.normalize():f}"


@dataclass(frozen=True)
class Frame:
    """The viewBox and the plot area inside it (room left for the value
    labels, below for the period labels)."""

    width: int = 560
    height: int = 240
    left: int = 80
    right: int = 16
    top: int = 14
    bottom: int = 34

    @property
    def plot_left(self) -> float:
        return float(self.left)

    @property
    def plot_right(self) -> float:
        return float(self.width - self.right)

    @property
    def plot_top(self) -> float:
        return float(self.top)

    @property
    def plot_bottom(self) -> float:
        return float(self.height - self.bottom)


@dataclass(frozen=True)
class Point:
    label: str
    value: Decimal
    x: float
    y: float


# About the width of a period label ("2025-26") at the largest label size, in viewBox units.
LABEL_ROOM = 90
GRID = "#d5dae1"
AXIS = "#5f6670"
TEXT = "#333"


def axes_svg(frame: Frame, scale: Scale, x_ticks: Sequence[Tick], tick_size: int, *, edges: bool) -> str:
    """The grid, the value labels, the period labels and the axis as SVG
    markup. Written here, not in the template: each value a template writes
    passes Django's localisation and escaping, some 3 µs, and a chart has
    about a hundred (bench/charts.py). `edges`: the first and last period
    labels lean inwards (a line's points reach the plot's edges, and a
    long label under the last bar would be cut off)."""
    left, right, size = frame.plot_left, frame.plot_right, int(tick_size)
    parts = []
    for tick in scale.ticks:
        parts.append(
            f'<line class="chart__grid" x1="{left}" x2="{right}" y1="{tick.at}" y2="{tick.at}" stroke="{GRID}" '
            f'stroke-width="1"/><text class="chart__tick" x="{left - 6}" y="{tick.at + 4}" text-anchor="end" '
            f'font-size="{size}" fill="{TEXT}">{escape(tick.label)}</text>'
        )
    last = len(x_ticks) - 1
    for i, tick in enumerate(x_ticks):
        anchor = "middle"
        if edges and last:
            anchor = "start" if i == 0 else "end" if i == last else "middle"
        parts.append(
            f'<text class="chart__tick" x="{tick.at}" y="{frame.height - 12}" text-anchor="{anchor}" '
            f'font-size="{size}" fill="{TEXT}">{escape(tick.label)}</text>'
        )
    parts.append(
        f'<line class="chart__axis" x1="{left}" x2="{right}" y1="{scale.bottom}" y2="{scale.bottom}" '
        f'stroke="{AXIS}" stroke-width="1"/>'
    )
    return "".join(parts)


# Up to this many points a line shows a dot on each; past it, on the last only
# (a dot every 1.5 units is a thick smudge, not a reading aid).
DOTS_UP_TO = 40


@dataclass(frozen=True)
class LineChart:
    """A line through `values` (one per label, oldest first): the lists stay
    apart (no object per point) because a 30-year range has 360 points and
    the page draws it on every fresh render; the SVG path carries the
    periods and exact values in data-periods and data-values, in the path's
    order."""

    name: str
    frame: Frame
    scale: Scale
    labels: list[str]
    values: list[Decimal]
    xs: list[float]
    ys: list[float]
    path: str
    x_ticks: list[Tick]
    desc: str

    @property
    def y_ticks(self) -> list[Tick]:
        return self.scale.ticks

    def axes(self, tick_size: int = 12) -> str:
        return axes_svg(self.frame, self.scale, self.x_ticks, tick_size, edges=True)

    @property
    def points(self) -> list[Point]:
        return [Point(*point) for point in zip(self.labels, self.values, self.xs, self.ys, strict=True)]

    @property
    def dots(self) -> list[Point]:
        """The points drawn as dots: each of a short line, the last of a long one."""
        if len(self.values) <= DOTS_UP_TO:
            return self.points
        return [Point(self.labels[-1], self.values[-1], self.xs[-1], self.ys[-1])]

    def dots_svg(self, radius: float = 3.5) -> str:
        """The dots as SVG markup (written here: see axes_svg)."""
        return "".join(
            [f'<circle class="chart__dot" cx="{p.x}" cy="{p.y}" r="{radius}" fill="{SOLID}"/>' for p in self.dots]
        )

    @property
    def periods_attr(self) -> str:
        return " ".join(self.labels)

    @property
    def values_attr(self) -> str:
        return " ".join(map(str, self.values))


def _spread(count: int, wanted: int) -> list[int]:
    """About `wanted` indexes spread evenly over range(count), first and last included."""
    if wanted <= 0 or count == 0:
        return []
    if count <= wanted:
        return list(range(count))
    if wanted == 1:
        return [0]
    step = (count - 1) / (wanted - 1)
    return sorted({round(i * step) for i in range(wanted)})


@lru_cache(maxsize=64)
def _x_positions(count: int, frame: Frame) -> tuple[float, ...]:
    """Evenly spread x of `count` points (the same for every line of that length: cached)."""
    if count == 1:
        return (round((frame.plot_left + frame.plot_right) / 2, 1),)
    span = frame.plot_right - frame.plot_left
    return tuple(round(frame.plot_left + span * i / (count - 1), 1) for i in range(count))


def _same(label: str) -> str:
    return label


def line_chart(
    name: str,
    labels: Sequence[str],
    values: Sequence[Decimal],
    *,
    frame: Frame = Frame(),
    ticks: int = 4,
    tick_label: Callable[[str], str] = _same,
    speak: Callable[[str], str] = _same,
) -> LineChart:
    """A line through `values` (oldest first), one per label; `ticks` labels
    under it as `tick_label` writes them; the text alternative says labels
    as `speak` does. Only the few labels shown or said are rewritten: a
    30-year line has 360. Empty: an empty axis and a desc that says so."""
    labels, values = list(labels), list(values)
    scale = nice_scale(max(values, default=ZERO), bottom=frame.plot_bottom, high=frame.plot_top)
    xs = _x_positions(len(values), frame) if values else ()
    # Scale.y's arithmetic in floats, inlined: the same figures, a fifth of the time.
    top, bottom = float(scale.top), scale.bottom
    per = (scale.bottom - scale.high) / top
    ys = [round(bottom - min(max(float(value), 0.0), top) * per, 1) for value in values]
    path = "M" + " L".join([f"{x} {y}" for x, y in zip(xs, ys, strict=True)]) if values else ""
    x_ticks = [Tick(values[i], xs[i], tick_label(labels[i])) for i in _spread(len(values), ticks)]
    desc = _line_desc(name, labels, values, speak)
    return LineChart(name, frame, scale, labels, values, list(xs), ys, path, x_ticks, desc)


def _line_desc(name: str, labels: list[str], values: list[Decimal], speak: Callable[[str], str]) -> str:
    if not values:
        return f"{name}:{DESC_EMPTY}"
    if len(values) == 1:
        return DESC_ONE.format(name=name, label=speak(labels[0]), value=format_money(values[0]))
    # The first highest and the first lowest, as a reader scanning from the left finds them.
    high, low = values.index(max(values)), values.index(min(values))
    return DESC_LINE.format(
        name=name,
        first_label=speak(labels[0]),
        last_label=speak(labels[-1]),
        count=len(values),
        first=format_money(values[0]),
        last=format_money(values[-1]),
        high=format_money(values[high]),
        high_label=speak(labels[high]),
        low=format_money(values[low]),
        low_label=speak(labels[low]),
    )


class Bar(NamedTuple):
    label: str
    series: int  # which series (0, 1 …): its legend entry and fill
    value: Decimal
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class BarChart:
    name: str
    frame: Frame
    scale: Scale
    series_names: list[str]
    bars: list[Bar]
    x_ticks: list[Tick]
    stacked: bool
    desc: str
    # A line the caption adds after the chart's name (what its periods are).
    note: str = ""

    @property
    def y_ticks(self) -> list[Tick]:
        return self.scale.ticks

    def axes(self, tick_size: int = 12) -> str:
        # Lean the edge labels inwards only where a group is narrower than a label.
        groups = len({bar.label for bar in self.bars}) or 1
        narrow = (self.frame.plot_right - self.frame.plot_left) / groups < LABEL_ROOM
        return axes_svg(self.frame, self.scale, self.x_ticks, tick_size, edges=narrow)

    def marks(self, chart_id: str) -> str:
        """The bars as SVG markup, each with its period, series and exact
        value (data-*). Written here rather than in a template loop: a
        30-year range has 62 bars, and a template spends ten times as long
        on each (its every value goes through Django's localisation).
        Series 0 solid; series 1 hatched (`<chart_id>-hatch`, the
        partial's pattern) with an outline, so they differ without colour."""
        hatch = f'fill="url(#{escape(chart_id)}-hatch)" stroke="{HATCH_STROKE}" stroke-width="1"'
        solid = f'fill="{SOLID}"'
        return "".join(
            [
                f'<rect class="chart__bar chart__bar--{b.series}" x="{b.x}" y="{b.y}" width="{b.width}" '
                f'height="{b.height}" {hatch if b.series else solid} data-period="{escape(b.label)}" '
                f'data-series="{b.series}" data-value="{b.value}"/>'
                for b in self.bars
            ]
        )


def bar_chart(
    name: str,
    series_names: Sequence[str],
    groups: Sequence[tuple[str, Sequence[Decimal]]],
    *,
    stacked: bool = False,
    frame: Frame = Frame(),
    labels: int = 4,
    shown: Sequence[str] | None = None,
    note: str = "",
) -> BarChart:
    """Bars of each group (a period) side by side, or stacked (series 0 at
    the bottom); `labels` period labels; `shown` the periods as the text
    alternative says them. A zero value has a bar of no height, so every
    (period, series) still has its mark."""
    count = len(series_names)
    highest = max(
        (sum(values, ZERO) if stacked else max(values, default=ZERO) for _, values in groups),
        default=ZERO,
    )
    scale = nice_scale(highest, bottom=frame.plot_bottom, high=frame.plot_top)
    slot = (frame.plot_right - frame.plot_left) / max(len(groups), 1)
    # A fifth of each slot is the gap between groups.
    group_width = slot * 0.8
    bar_width = round(group_width if stacked else group_width / count, 1)
    y = scale.y
    bars = []
    for g, (label, values) in enumerate(groups):
        left = frame.plot_left + slot * g + slot * 0.1
        base = ZERO
        for s, value in enumerate(values):
            if value < 0:
                value = ZERO
            if stacked:
                top_y, bottom_y, x = y(base + value), y(base), round(left, 1)
                base += value
            else:
                top_y, bottom_y, x = y(value), scale.bottom, round(left + bar_width * s, 1)
            bars.append(Bar(label, s, value, x, top_y, bar_width, round(bottom_y - top_y, 1)))
    x_ticks = [
        Tick(ZERO, round(frame.plot_left + slot * i + slot * 0.1 + group_width / 2, 1), groups[i][0])
        for i in _spread(len(groups), labels)
    ]
    spoken = list(shown) if shown is not None else [label for label, _ in groups]
    return BarChart(
        name,
        frame,
        scale,
        list(series_names),
        bars,
        x_ticks,
        stacked,
        _bars_desc(name, series_names, groups, spoken),
        note,
    )


def _bars_desc(
    name: str, series_names: Sequence[str], groups: Sequence[tuple[str, Sequence[Decimal]]], spoken: list[str]
) -> str:
    if not groups:
        return f"{name}:{DESC_EMPTY}"
    parts = []
    for s, series in enumerate(series_names):
        values = [max(values[s], ZERO) for _, values in groups]
        high = max(range(len(values)), key=lambda i: (values[i], -i))
        parts.append(
            DESC_BAR_SERIES.format(
                series=series,
                total=format_money(sum(values, ZERO)),
                high=format_money(values[high]),
                high_label=spoken[high],
            )
        )
    return DESC_BARS.format(
        name=name, first_label=spoken[0], last_label=spoken[-1], count=len(groups), series=";".join(parts)
    )


@dataclass(frozen=True)
class Part:
    label: str
    value: Decimal
    x: float
    width: float
    share: str  # "37.5%"


@dataclass(frozen=True)
class PartsBar:
    """One horizontal bar split into parts of a whole (repaid | outstanding)."""

    name: str
    width: int
    height: int
    parts: list[Part]
    total: Decimal
    desc: str


def parts_bar(name: str, parts: Sequence[tuple[str, Decimal]], *, width: int = 560, height: int = 28) -> PartsBar:
    """The parts laid end to end across `width` in proportion; all zero: no
    part drawn wider than nothing (and the shares say 0%)."""
    values = [max(value, ZERO) for _, value in parts]
    total = sum(values, ZERO)
    shown, x = [], 0.0
    for (label, _), value in zip(parts, values, strict=True):
        fraction = value / total if total else ZERO
        part_width = round(float(fraction) * width, 1)
        share = f"{(fraction * 100).quantize(Decimal('0.1'))}%"
        shown.append(Part(label, value, round(x, 1), part_width, share))
        x += part_width
    desc = DESC_PARTS.format(
        name=name,
        parts=",".join(DESC_PART.format(label=p.label, value=format_money(p.value), share=p.share) for p in shown),
    )
    return PartsBar(name, width, height, shown, total, desc)


# The portal's charts: what each one is called and how its periods read.
BALANCE_NAME = "账户余额(月末)"
BALANCE_NAMES = {1: BALANCE_NAME, 3: "账户余额(季末)", 12: "账户余额(缴存年度末)"}
BALANCE_SPARK_NAME = "近24个月账户余额(月末)"
YEARS_NAME = "各缴存年度缴存与提取"
YEARS_SERIES = ("缴存(汇缴、补缴)", "提取")
YEARS_NOTE = "缴存年度为每年7月1日至次年6月30日。"
REMAINING_NAME = "剩余本金"
PLAN_YEARS_NAME = "各年应还本金与应还利息"
PLAN_YEARS_SERIES = ("应还本金", "应还利息")
LOAN_PARTS_NAME = "已还本金与剩余本金"
LOAN_PARTS = ("已还本金", "剩余本金")
# The sparkline of the home page: no axes, just the line.
SPARK = Frame(width=240, height=56, left=4, right=4, top=6, bottom=6)


def _month_label(period: str) -> str:
    return f"{period[:4]}-{period[4:]}"


def _month_spoken(period: str) -> str:
    return f"{period[:4]}年{int(period[4:])}月"


def balance_line(
    periods: Sequence[str], balances: Sequence[Decimal], *, spark: bool = False, step: int = 1
) -> LineChart:
    """The balance at each month's end (YYYYMM, oldest first); `step` 3 or
    12: at each quarter's or 缴存年度's end (YYYYMM of its last month)."""
    if spark:
        return line_chart(BALANCE_SPARK_NAME, periods, balances, frame=SPARK, ticks=0, speak=_month_spoken)
    return line_chart(BALANCE_NAMES[step], periods, balances, tick_label=_month_label, speak=_month_spoken)


def deposit_years(years: Sequence[tuple[int, Decimal, Decimal]]) -> BarChart:
    """缴存 against 提取 of each 缴存年度: (the year 1 July falls in, deposits, withdrawals)."""
    groups = [(f"{year}-{(year + 1) % 100:02d}", [deposits, withdrawals]) for year, deposits, withdrawals in years]
    spoken = [f"{year}-{year + 1}年度" for year, _, _ in years]
    return bar_chart(YEARS_NAME, YEARS_SERIES, groups, shown=spoken, note=YEARS_NOTE)


def remaining_line(periods: Sequence[str], remaining: Sequence[Decimal]) -> LineChart:
    """剩余本金 after each plan row (应还年月 YYYYMM, oldest first)."""
    return line_chart(REMAINING_NAME, periods, remaining, tick_label=_month_label, speak=_month_spoken)


def plan_year_bars(years: Sequence[tuple[int, Decimal, Decimal]]) -> BarChart:
    """应还本金 and 应还利息 stacked, by calendar year: (year, principal, interest)."""
    groups = [(str(year), [principal, interest]) for year, principal, interest in years]
    return bar_chart(
        PLAN_YEARS_NAME, PLAN_YEARS_SERIES, groups, stacked=True, shown=[f"{year}年" for year, _, _ in years]
    )


def loan_parts(repaid: Decimal, outstanding: Decimal) -> PartsBar:
    """已还本金 | 剩余本金 of a loan, end to end."""
    return parts_bar(LOAN_PARTS_NAME, list(zip(LOAN_PARTS, (repaid, outstanding), strict=True)))
