"""The hand-written SVG charts: valid, accessible, proportional, deterministic, and a "no
data" chart rather than a failure when there is nothing to draw."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from jcm.entrypoints.web.charts import (
    BarChart,
    Formats,
    FunnelChart,
    Line,
    LineChart,
    Series,
    bar_chart,
    funnel_chart,
    line_chart,
    nice_ceiling,
    tick_steps,
)

NS = "{http://www.w3.org/2000/svg}"
FORMATS = Formats(lambda v: f"{v:,}", lambda v: f"{v}", "Nothing yet")


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{NS}rect") if r.get("class") == "bar"]


def flows(*values: tuple[int, int, int]) -> BarChart:
    return BarChart(
        "c",
        "Credits <by> country",
        "Issued & cancelled",
        tuple(f"Country {i}" for i in range(len(values))),
        (
            Series("Issued", tuple(v[0] for v in values)),
            Series("Cancelled", tuple(v[1] for v in values)),
            Series("Retired", tuple(v[2] for v in values)),
        ),
    )


def test_a_bar_chart_is_valid_svg_with_a_title_and_a_description_it_is_labelled_by() -> None:
    root = parsed(bar_chart(flows((10, 2, 1)), FORMATS))

    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert root.get("role") == "img"
    assert title is not None
    assert title.text == "Credits <by> country"
    assert desc is not None
    assert desc.text == "Issued & cancelled"
    assert root.get("aria-labelledby") == "c-title c-desc"


def test_bar_lengths_are_proportional_to_their_values() -> None:
    root = parsed(bar_chart(flows((1000, 250, 0), (500, 125, 40)), FORMATS))

    widths = {float(r.get("data-value") or 0): float(r.get("width") or 0) for r in bars(root)}

    assert widths[0] == 0
    unit = widths[1000] / 1000
    for value, width in widths.items():
        assert width == pytest.approx(value * unit, abs=0.01)


def test_every_bar_has_its_value_written_beside_it_and_a_patterned_fill() -> None:
    root = parsed(bar_chart(flows((1234, 5, 6)), FORMATS))

    values = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "value"]
    fills = {r.get("fill") for r in bars(root)}

    assert values == ["1,234", "5", "6"]
    assert fills == {"url(#c-p0)", "url(#c-p1)", "url(#c-p2)"}
    assert len(root.findall(f"{NS}defs/{NS}pattern")) == 3


def test_a_stacked_bar_chart_places_segments_end_to_end_and_writes_the_total() -> None:
    chart = flows((30, 20, 10))
    stacked = BarChart(chart.ident, chart.title, chart.desc, chart.categories, chart.series, True)

    root = parsed(bar_chart(stacked, FORMATS))

    segments = bars(root)
    ends = [float(r.get("x") or 0) + float(r.get("width") or 0) for r in segments]
    assert [float(r.get("x") or 0) for r in segments[1:]] == pytest.approx(ends[:-1])
    assert [t.text for t in root.iter(f"{NS}text") if t.get("class") == "value"] == ["60"]


def test_an_empty_chart_says_there_is_no_data_instead_of_failing() -> None:
    empty_bars = BarChart("e", "Empty", "Nothing", (), ())
    empty_lines = LineChart("l", "Empty", "Nothing", (Line("x", ()),), ())
    empty_funnel = FunnelChart("f", "Empty", "Nothing", (("Funded: 0", 0),))

    for svg in (
        bar_chart(empty_bars, FORMATS),
        line_chart(empty_lines, FORMATS),
        funnel_chart(empty_funnel, FORMATS),
    ):
        root = parsed(svg)
        assert [t.text for t in root.iter(f"{NS}text")] == ["Nothing yet"]
        assert root.find(f"{NS}title") is not None


def test_all_zero_and_huge_values_draw_within_the_chart() -> None:
    zero = parsed(bar_chart(flows((0, 0, 0)), FORMATS))
    huge = parsed(bar_chart(flows((10**15, 10**12, 1)), FORMATS))

    assert all(float(r.get("width") or 0) == 0 for r in bars(zero))
    widths = [float(r.get("width") or 0) for r in bars(huge)]
    ends = [float(r.get("x") or 0) + float(r.get("width") or 0) for r in bars(huge)]
    chart_width = float((huge.get("viewBox") or "").split()[2])
    assert max(ends) <= chart_width - 90  # room left for the value written after the bar
    assert widths[0] > widths[1] > widths[2] >= 0


def test_the_same_figures_give_the_same_bytes() -> None:
    assert bar_chart(flows((3, 2, 1)), FORMATS) == bar_chart(flows((3, 2, 1)), FORMATS)


def test_a_line_chart_draws_each_line_its_target_and_labelled_ticks() -> None:
    chart = LineChart(
        "t",
        "Progress",
        "Issued against the target",
        (
            Line("Issued", ((2020.0, 10), (2021.0, 30))),
            Line("Needed", ((2021.0, 30), (2023.0, Decimal(100)))),
        ),
        ((2020.0, "FY2020"), (2023.0, "FY2023")),
        (100, "Target: 100"),
    )

    root = parsed(line_chart(chart, FORMATS))

    lines = root.findall(f".//{NS}polyline")
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert len(lines) == 2
    assert lines[1].get("stroke-dasharray")  # the second line is dashed, not only coloured
    assert "Target: 100" in texts
    assert "FY2020" in texts
    assert "FY2023" in texts
    # y grows downwards: the target (100) sits above the first point (10)
    target = root.find(f".//{NS}g[@class='target']/{NS}line")
    first_y = float((lines[0].get("points") or "").split()[0].split(",")[1])
    assert target is not None
    assert float(target.get("y1") or 0) < first_y


def test_a_single_point_line_chart_still_draws() -> None:
    chart = LineChart("s", "One", "One point", (Line("Only", ((5.0, 1),)),), ())

    root = parsed(line_chart(chart, FORMATS))

    assert len(root.findall(f".//{NS}polyline")) == 1


def test_funnel_bars_are_as_wide_as_their_counts_against_the_widest_and_captioned() -> None:
    chart = FunnelChart("f", "Funnel", "Stages", (("Funded: 200", 200), ("Issued: 50", 50)))

    root = parsed(funnel_chart(chart, FORMATS))

    stages = [r for r in root.iter(f"{NS}rect") if r.get("class") == "stage"]
    widths = [float(r.get("width") or 0) for r in stages]
    assert widths[1] == pytest.approx(widths[0] / 4)
    assert [t.text for t in root.iter(f"{NS}text")] == ["Funded: 200", "Issued: 50"]


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [
        (0, 1),
        (1, 1),
        (7, 10),
        (120, 200),
        (230, 250),
        (3_000_000, 4_000_000),
        (30, 40),
        (4_100, 5_000),
        (100e6, 100e6),
    ],
)
def test_an_axis_ends_at_a_round_number_not_below_the_largest_value(
    value: float, ceiling: float
) -> None:
    assert nice_ceiling(value) == ceiling


@pytest.mark.parametrize(("end", "steps"), [(1, 5), (2, 4), (2.5, 5), (40, 4), (5_000, 5)])
def test_an_axis_is_cut_into_round_steps(end: float, steps: int) -> None:
    assert tick_steps(end) == steps
