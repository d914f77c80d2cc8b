"""Charts as server-side SVG: horizontal bars (grouped or stacked), lines with a target line,
and a funnel.

Written by hand on purpose: no charting dependency gives SVG that is at once accessible
(``role="img"`` with ``<title>`` and ``<desc>``, text labels, patterns beside colours),
deterministic (byte-identical for the same figures, so tests compare structure), free of
script and usable offline (pygal, for instance, references a script on a CDN by default).

Every text given to a chart is already translated; numbers come through the page's
``Formats`` (per locale). Coordinates have two decimals. Each chart on a page needs its own
``ident`` (ids of the title, the description and the patterns are derived from it). The page
puts a data table with the same numbers after each chart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from math import floor, log10

from markupsafe import Markup, escape

Number = int | Decimal

# Colour and pattern together, so no meaning rests on colour alone (and every bar also has
# its value written beside it). Colours have at least 4.5:1 contrast on white.
COLOURS = ("#0b5394", "#b35c00", "#1d6b35", "#6a3d9a")
INK, MUTED, GRID = "#1b1f24", "#4a5560", "#c9d1d9"
DASHES = ("", "8 4", "2 4", "12 4 2 4")
MARKERS = ("circle", "square", "diamond", "triangle")


@dataclass(frozen=True, slots=True)
class Formats:
    """How a page writes numbers (full and short, per locale) and says there is no data."""

    number: Callable[[Number], str]
    short: Callable[[Number], str]
    no_data: str


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: tuple[Number, ...]  # one per category


@dataclass(frozen=True, slots=True)
class BarChart:
    ident: str
    title: str
    desc: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    stacked: bool = False


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    points: tuple[tuple[float, Number], ...]  # (x, y), x in the chart's own units


@dataclass(frozen=True, slots=True)
class LineChart:
    ident: str
    title: str
    desc: str
    lines: tuple[Line, ...]
    x_ticks: tuple[tuple[float, str], ...]
    target: tuple[Number, str] | None = None  # a horizontal line at a value, labelled


@dataclass(frozen=True, slots=True)
class FunnelChart:
    ident: str
    title: str
    desc: str
    stages: tuple[tuple[str, Number], ...]  # (whole caption with count and share, count)


def _c(value: float) -> str:
    """A coordinate: two decimals, no negative zero (deterministic text)."""
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5, 4 or 5 × 10^k not below ``value`` (1 for 0): a round axis end."""
    if value <= 0:
        return 1.0
    power = 10 ** floor(log10(value))
    for step in (1, 2, 2.5, 4, 5, 10):
        if value <= step * power * (1 + 1e-12):
            return float(step * power)
    return float(10 * power)


def _open(ident: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart-svg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-size="13" fill="{INK}">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
    ]


def _patterns(ident: str, count: int) -> list[str]:
    """Series fills: solid, diagonal hatching, dots, cross-hatching (each on its colour)."""
    marks = (
        "",
        '<path d="M0 8L8 0M-2 2L2 -2M6 10L10 6" stroke="#ffffff" stroke-width="2"/>',
        '<circle cx="4" cy="4" r="1.8" fill="#ffffff"/>',
        '<path d="M0 4H8M4 0V8" stroke="#ffffff" stroke-width="1.5"/>',
    )
    out = ["<defs>"]
    for i in range(count):
        colour = COLOURS[i % len(COLOURS)]
        out.append(
            f'<pattern id="{ident}-p{i}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" fill="{colour}"/>{marks[i % len(marks)]}</pattern>'
        )
    out.append("</defs>")
    return out


def _no_data(ident: str, title: str, desc: str, formats: Formats) -> Markup:
    parts = _open(ident, 640, 120, title, desc)
    parts.append(
        f'<rect x="0.50" y="0.50" width="639.00" height="119.00" fill="none" stroke="{GRID}"/>'
        f'<text x="320.00" y="64.00" text-anchor="middle" class="no-data">'
        f"{escape(formats.no_data)}</text></svg>"
    )
    return Markup("".join(parts))


def _legend(ident: str, labels: Sequence[str], lines: bool = False) -> tuple[list[str], float]:
    """The legend in rows that fit the chart's width, and its height; each entry shows the
    series' pattern (bars) or its dash and marker (lines) beside its name."""
    out = ['<g class="legend">']
    x, y = 0.0, 4.0
    for i, label in enumerate(labels):
        room = 42 + text_width(label)
        if x > 0 and x + room > WIDTH:
            x, y = 0.0, y + 20
        if lines:
            dash = DASHES[i % len(DASHES)]
            out.append(
                f'<line x1="{_c(x)}" y1="{_c(y)}" x2="{_c(x + 24)}" y2="{_c(y)}" '
                f'stroke="{COLOURS[i % len(COLOURS)]}" stroke-width="3"'
                + (f' stroke-dasharray="{dash}"' if dash else "")
                + "/>"
                + _marker(i, x + 12, y)
            )
        else:
            out.append(
                f'<rect x="{_c(x)}" y="{_c(y - 9)}" width="18.00" height="12.00" '
                f'fill="url(#{ident}-p{i})" stroke="{INK}" stroke-width="0.5"/>'
            )
        out.append(f'<text x="{_c(x + 30)}" y="{_c(y + 4)}">{escape(label)}</text>')
        x += room
    out.append("</g>")
    return out, y + 12


def text_width(text: str) -> float:
    """An estimate of ``text``'s width at 13 px: wide (CJK) characters take a full em."""
    return sum(13.0 if ord(ch) > 0x2E7F else 7.5 for ch in text)


def _marker(i: int, x: float, y: float) -> str:
    colour, shape = COLOURS[i % len(COLOURS)], MARKERS[i % len(MARKERS)]
    if shape == "circle":
        return f'<circle cx="{_c(x)}" cy="{_c(y)}" r="4.00" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{_c(x - 4)}" y="{_c(y - 4)}" width="8.00" height="8.00" fill="{colour}"/>'
    if shape == "diamond":
        d = f"M{_c(x)} {_c(y - 5)}L{_c(x + 5)} {_c(y)}L{_c(x)} {_c(y + 5)}L{_c(x - 5)} {_c(y)}Z"
    else:
        d = f"M{_c(x)} {_c(y - 5)}L{_c(x + 5)} {_c(y + 4)}L{_c(x - 5)} {_c(y + 4)}Z"
    return f'<path d="{d}" fill="{colour}"/>'


# -- bars ---------------------------------------------------------------------------------------

WIDTH, BAR_HEIGHT, GROUP_GAP, LINE_GAP, VALUE_ROOM = 640, 14, 12, 15, 96


@dataclass(frozen=True, slots=True)
class _BarLayout:
    label_width: float
    plot_width: float
    axis_end: float
    rows: tuple[float, ...]  # each category row's height
    labels: tuple[tuple[str, ...], ...]  # each category's label, wrapped


def _bar_layout(chart: BarChart) -> _BarLayout:
    longest = max(text_width(c) for c in chart.categories)
    label_width = min(max(longest + 12, 80.0), 240.0)
    labels = tuple(tuple(wrap(c, label_width - 12)) for c in chart.categories)
    bars_high = (1 if chart.stacked else len(chart.series)) * BAR_HEIGHT
    rows = tuple(max(bars_high, len(lines) * LINE_GAP) + GROUP_GAP for lines in labels)
    peak = max(_row_peak(chart, r) for r in range(len(chart.categories)))
    return _BarLayout(
        label_width, WIDTH - label_width - VALUE_ROOM, nice_ceiling(float(peak)), rows, labels
    )


def bar_chart(chart: BarChart, formats: Formats) -> Markup:
    """Horizontal bars, one group (or stack) per category, labelled with their values;
    horizontal so that long category names (countries, sectors) stay readable."""
    if not chart.categories or not chart.series:
        return _no_data(chart.ident, chart.title, chart.desc, formats)
    layout = _bar_layout(chart)
    legend, legend_height = _legend(chart.ident, [s.label for s in chart.series])
    top = 24.0
    bottom = top + sum(layout.rows)
    parts = _open(chart.ident, WIDTH, int(bottom + 16 + legend_height), chart.title, chart.desc)
    parts += _patterns(chart.ident, len(chart.series))
    parts += _bar_axis(layout, top, bottom, formats)
    y = top
    for r, lines in enumerate(layout.labels):
        parts += _category_label(lines, layout.label_width - 8, y + layout.rows[r] / 2)
        parts += _bar_row(chart, r, y + GROUP_GAP / 2, layout, formats)
        y += layout.rows[r]
    parts.append(f'<g transform="translate(0 {_c(bottom + 16)})">')
    parts += legend
    parts.append("</g></svg>")
    return Markup("".join(parts))


def wrap(text: str, width: float) -> list[str]:
    """``text`` in lines of at most ``width`` (estimated): at spaces where it has them, else
    between characters (Japanese)."""
    words, joiner = (text.split(" "), " ") if " " in text else (list(text), "")
    lines: list[str] = []
    for word in words:
        if lines and text_width(lines[-1] + joiner + word) <= width:
            lines[-1] += joiner + word
        else:
            lines.append(word)
    return lines


def _category_label(lines: Sequence[str], x: float, middle: float) -> list[str]:
    first = middle - (len(lines) - 1) * LINE_GAP / 2 + 4
    spans = "".join(
        f'<tspan x="{_c(x)}" y="{_c(first + i * LINE_GAP)}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return [f'<text text-anchor="end" class="category">{spans}</text>']


def _row_peak(chart: BarChart, row: int) -> Number:
    values = [s.values[row] for s in chart.series]
    return sum(values) if chart.stacked else max(values)


def _bar_axis(layout: _BarLayout, top: float, bottom: float, formats: Formats) -> list[str]:
    out = ['<g class="axis">']
    steps = tick_steps(layout.axis_end)
    for i in range(steps + 1):
        value = layout.axis_end * i / steps
        x = layout.label_width + layout.plot_width * i / steps
        out.append(
            f'<line x1="{_c(x)}" y1="{_c(top)}" x2="{_c(x)}" y2="{_c(bottom)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_c(x)}" y="{_c(top - 8)}" text-anchor="middle" fill="{MUTED}">'
            f"{escape(formats.short(_tick_value(value)))}</text>"
        )
    out.append("</g>")
    return out


def tick_steps(axis_end: float) -> int:
    """Intervals that cut a round axis end into round steps: 2 and 4 into 4, else 5."""
    leading = axis_end / 10 ** floor(log10(axis_end))
    return 4 if round(leading, 6) in (2, 4) else 5


def _tick_value(value: float) -> Number:
    return int(value) if value == int(value) else Decimal(str(round(value, 6)))


def _bar_row(chart: BarChart, row: int, y: float, layout: _BarLayout, fmt: Formats) -> list[str]:
    out: list[str] = []
    x = layout.label_width
    for i, series in enumerate(chart.series):
        value = series.values[row]
        width = layout.plot_width * float(value) / layout.axis_end
        out.append(
            f'<rect class="bar" x="{_c(x)}" y="{_c(y)}" width="{_c(width)}" '
            f'height="{_c(BAR_HEIGHT - 2)}" fill="url(#{chart.ident}-p{i})" '
            f'data-series="{i}" data-value="{value}"/>'
        )
        if chart.stacked:
            x += width
        else:
            out.append(
                f'<text x="{_c(x + width + 4)}" y="{_c(y + BAR_HEIGHT - 3)}" class="value">'
                f"{escape(fmt.number(value))}</text>"
            )
            y += BAR_HEIGHT
    if chart.stacked:
        total = sum(s.values[row] for s in chart.series)
        out.append(
            f'<text x="{_c(x + 4)}" y="{_c(y + BAR_HEIGHT - 3)}" class="value">'
            f"{escape(fmt.number(total))}</text>"
        )
    return out


# -- lines --------------------------------------------------------------------------------------

LEFT, RIGHT, TOP, PLOT_HEIGHT = 64, 24, 24, 220


def line_chart(chart: LineChart, formats: Formats) -> Markup:
    """Lines over a numeric x axis with labelled ticks, each line with its own dash and
    marker shape, and an optional labelled target line."""
    points = [p for line in chart.lines for p in line.points]
    if not points:
        return _no_data(chart.ident, chart.title, chart.desc, formats)
    xs = [p[0] for p in points] + [t[0] for t in chart.x_ticks]
    x_min, x_max = min(xs), max(xs)
    peak = max([float(p[1]) for p in points] + [float(chart.target[0]) if chart.target else 0])
    y_end = nice_ceiling(peak)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, PLOT_HEIGHT
    # x tick labels are turned 45 degrees: their room below the axis grows with the longest
    tick_room = max([text_width(label) * 0.71 for _, label in chart.x_ticks] + [0]) + 24
    legend, legend_height = _legend(chart.ident, [line.label for line in chart.lines], True)
    legend_top = TOP + plot_h + tick_room

    def sx(x: float) -> float:
        return LEFT + (plot_w * (x - x_min) / (x_max - x_min) if x_max > x_min else plot_w / 2)

    def sy(y: Number) -> float:
        return TOP + plot_h - plot_h * float(y) / y_end

    height = int(legend_top + legend_height + 4)
    parts = _open(chart.ident, WIDTH, height, chart.title, chart.desc)
    parts += _line_axes(chart, y_end, sx, sy, formats)
    if chart.target is not None:
        value, label = chart.target
        y = sy(value)
        parts.append(
            f'<g class="target"><line x1="{_c(LEFT)}" y1="{_c(y)}" x2="{_c(LEFT + plot_w)}" '
            f'y2="{_c(y)}" stroke="{INK}" stroke-width="2" stroke-dasharray="4 3"/>'
            f'<text x="{_c(LEFT + 4)}" y="{_c(y - 6)}">{escape(label)}</text></g>'
        )
    for i, line in enumerate(chart.lines):
        parts += _polyline(i, line, sx, sy)
    parts.append(f'<g transform="translate(0 {_c(legend_top)})">')
    parts += legend
    parts.append("</g></svg>")
    return Markup("".join(parts))


def _line_axes(
    chart: LineChart,
    y_end: float,
    sx: Callable[[float], float],
    sy: Callable[[Number], float],
    formats: Formats,
) -> list[str]:
    right, bottom = WIDTH - RIGHT, TOP + PLOT_HEIGHT
    out = ['<g class="axis">']
    steps = tick_steps(y_end)
    for i in range(steps + 1):
        value = _tick_value(y_end * i / steps)
        y = sy(value)
        out.append(
            f'<line x1="{_c(LEFT)}" y1="{_c(y)}" x2="{_c(right)}" y2="{_c(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_c(LEFT - 6)}" y="{_c(y + 4)}" text-anchor="end" fill="{MUTED}">'
            f"{escape(formats.short(value))}</text>"
        )
    for x, label in chart.x_ticks:
        px = sx(x)
        out.append(
            f'<line x1="{_c(px)}" y1="{_c(bottom)}" x2="{_c(px)}" y2="{_c(bottom + 5)}" '
            f'stroke="{MUTED}"/><text x="{_c(px)}" y="{_c(bottom + 12)}" text-anchor="end" '
            f'transform="rotate(-45 {_c(px)} {_c(bottom + 12)})" fill="{MUTED}">'
            f"{escape(label)}</text>"
        )
    out.append("</g>")
    return out


def _polyline(
    i: int, line: Line, sx: Callable[[float], float], sy: Callable[[Number], float]
) -> list[str]:
    colour, dash = COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)]
    coords = " ".join(f"{_c(sx(x))},{_c(sy(y))}" for x, y in line.points)
    out = [
        f'<g class="line" data-series="{i}"><polyline points="{coords}" fill="none" '
        f'stroke="{colour}" stroke-width="2.5"'
        + (f' stroke-dasharray="{dash}"' if dash else "")
        + "/>"
    ]
    out += [_marker(i, sx(x), sy(y)) for x, y in line.points]
    out.append("</g>")
    return out


# -- funnel -------------------------------------------------------------------------------------

FUNNEL_WIDTH, FUNNEL_ROW = WIDTH, 46


def funnel_chart(chart: FunnelChart, formats: Formats) -> Markup:
    """Centred bars, each as wide as its count against the largest stage's, captioned
    (the caption is one translated sentence with the stage, count and share)."""
    if not chart.stages or all(count == 0 for _, count in chart.stages):
        return _no_data(chart.ident, chart.title, chart.desc, formats)
    height = len(chart.stages) * FUNNEL_ROW + 8
    widest = max(float(count) for _, count in chart.stages)
    parts = _open(chart.ident, FUNNEL_WIDTH, height, chart.title, chart.desc)
    parts += _patterns(chart.ident, 1)
    full = FUNNEL_WIDTH - 40
    for i, (caption, count) in enumerate(chart.stages):
        width = full * float(count) / widest
        y = 4 + i * FUNNEL_ROW
        parts.append(
            f'<rect class="stage" x="{_c((FUNNEL_WIDTH - width) / 2)}" y="{_c(y)}" '
            f'width="{_c(width)}" height="18.00" fill="url(#{chart.ident}-p0)" '
            f'data-value="{count}"/>'
            f'<text x="{_c(FUNNEL_WIDTH / 2)}" y="{_c(y + 34)}" text-anchor="middle">'
            f"{escape(caption)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
