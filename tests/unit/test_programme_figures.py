"""The dashboard's pure computations: fiscal years, cumulative series, progress to a target,
partner countries over time, the projects' funnel and the credit tallies."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

from jcm.adapters.public.dashboard import read_partner_signings
from jcm.domain.programme import facts
from jcm.domain.programme.facts import Target
from jcm.domain.programme.figures import (
    Flow,
    FlowTotals,
    PartnerSigning,
    Stage,
    cumulative,
    fiscal_year,
    fiscal_year_end,
    fiscal_year_of,
    funnel,
    furthest_stage,
    partner_dates,
    partner_series,
    partners_at,
    percentage,
    progress_to,
    sector_key,
    stage_counts,
    straight_line,
    tally,
)


@pytest.mark.parametrize(
    ("day", "fy"),
    [
        (date(2026, 3, 31), 2025),
        (date(2026, 4, 1), 2026),
        (date(2026, 12, 31), 2026),
        (date(2027, 1, 1), 2026),
        (date(2031, 3, 31), 2030),
    ],
)
def test_a_day_falls_in_the_japanese_fiscal_year_that_began_the_april_before(
    day: date, fy: int
) -> None:
    assert fiscal_year_of(day) == fy


def test_fiscal_year_2030_ends_on_31_march_2031() -> None:
    assert fiscal_year_end(2030) == date(2031, 3, 31)


def test_a_month_outside_1_to_12_is_not_a_month() -> None:
    with pytest.raises(ValueError, match="month 13"):
        fiscal_year(2026, 13)


def test_a_cumulative_series_carries_earlier_periods_and_fills_gaps() -> None:
    per_year = {2020: 5, 2022: 10, 2023: 1, 2030: 99}

    assert cumulative(per_year, 2021, 2024) == [(2021, 5), (2022, 15), (2023, 16), (2024, 16)]


def test_a_cumulative_series_of_nothing_is_zero_throughout() -> None:
    assert cumulative({}, 2025, 2026) == [(2025, 0), (2026, 0)]


def test_a_percentage_has_two_places_and_is_zero_of_nothing() -> None:
    assert percentage(700_000, 100_000_000) == Decimal("0.70")
    assert percentage(1, 3) == Decimal("33.33")
    assert percentage(5, 0) == Decimal("0.00")


def test_progress_to_the_fy2030_target_says_the_share_and_the_yearly_rate_still_needed() -> None:
    progress = progress_to(facts.REDUCTIONS_TARGET, 3_000_000, date(2026, 4, 1))

    assert progress.share == Decimal("3.00")
    assert progress.remaining == 97_000_000
    assert progress.days_left == 1825
    assert progress.per_year_needed == 19_413_288  # 97 Mt × 365.25 / 1,825 days


def test_a_target_reached_needs_nothing_more_and_has_no_path() -> None:
    target = Target("t", Decimal(10), "t", date(2030, 1, 1), date(2020, 1, 1), "test")
    progress = progress_to(target, 12, date(2026, 1, 1))

    assert (progress.remaining, progress.per_year_needed) == (0, 0)
    assert progress.share == Decimal("120.00")
    assert straight_line(progress) == []


def test_a_target_past_its_date_needs_all_that_is_left_and_draws_no_path() -> None:
    target = Target("t", Decimal(10), "t", date(2025, 1, 1), date(2020, 1, 1), "test")
    progress = progress_to(target, 4, date(2026, 1, 1))

    assert (progress.days_left, progress.per_year_needed) == (0, 6)
    assert straight_line(progress) == []


def test_the_straight_line_runs_from_today_to_the_target_at_each_fiscal_year_end() -> None:
    progress = progress_to(facts.REDUCTIONS_TARGET, 3_000_000, date(2026, 4, 1))

    path = straight_line(progress)

    assert path[0] == (date(2026, 4, 1), 3_000_000)
    assert path[-1] == (date(2031, 3, 31), 100_000_000)
    assert [d for d, _ in path[1:]] == [date(y, 3, 31) for y in range(2027, 2032)]
    per_day = Decimal(97_000_000) / 1825
    for (day_a, a), (day_b, b) in itertools.pairwise(path):
        assert abs((b - a) - per_day * (day_b - day_a).days) <= 1  # the same slope throughout
    assert all(a[1] < b[1] for a, b in itertools.pairwise(path))


def test_the_partner_list_gives_17_countries_at_the_end_of_2017_25_of_2023_and_29_of_2024() -> None:
    dates = partner_dates(read_partner_signings(), facts.PARTNER_COUNTS)

    series = dict(partner_series(dates, facts.FIRST_YEAR, 2025))

    assert series[2013] == 9
    assert series[2017] == 17
    assert series[2021] == 17
    assert series[2022] == 24
    assert series[2023] == 25
    assert series[2024] == 29
    assert series[2025] == 29


def test_an_undated_partner_is_counted_from_the_first_published_count_including_it() -> None:
    dates = partner_dates(read_partner_signings(), facts.PARTNER_COUNTS)

    by_country = {d.signing.country: d for d in dates}

    assert by_country["MN"].counted_from == date(2013, 1, 8)
    assert by_country["MN"].known_from is None
    assert by_country["SN"].counted_from == date(2022, 10, 25)
    assert by_country["PG"].counted_from == date(2023, 3, 22)
    assert by_country["UA"].known_from == facts.PARTNER_COUNTS[-1]
    assert partners_at(dates, date(2023, 3, 21)) == 24


def test_a_partner_no_published_count_covers_is_never_counted() -> None:
    signings = [PartnerSigning(1, "MN", date(2013, 1, 8)), PartnerSigning(40, "XX", None)]

    dates = partner_dates(signings, facts.PARTNER_COUNTS)

    assert dates[1].counted_from is None
    assert partners_at(dates, date(2099, 1, 1)) == 1


def test_the_funnel_keeps_the_stage_order_and_shares_of_the_first_stage() -> None:
    stages = funnel({Stage.ISSUED: 1, Stage.FUNDED: 4, Stage.REGISTERED: 2})

    assert [s.stage for s in stages] == [
        Stage.FUNDED,
        Stage.OPERATING,
        Stage.REGISTERED,
        Stage.ISSUED,
    ]
    assert [s.projects for s in stages] == [4, 0, 2, 1]
    assert [s.share for s in stages] == [
        Decimal("100.00"),
        Decimal("0.00"),
        Decimal("50.00"),
        Decimal("25.00"),
    ]


def test_a_project_counts_at_every_stage_up_to_its_furthest_and_outsiders_from_registration() -> (
    None
):
    projects = [
        (furthest_stage("funded", False, False), True),
        (furthest_stage("operating", False, False), True),
        (furthest_stage("funded", True, False), True),  # the cycle registered it
        (furthest_stage("registered", True, True), True),
        (furthest_stage(None, True, True), False),  # proposed straight to the cycle
    ]

    counts = stage_counts((s, funded) for s, funded in projects if s is not None)

    assert counts == {Stage.FUNDED: 4, Stage.OPERATING: 3, Stage.REGISTERED: 3, Stage.ISSUED: 2}


def test_an_unknown_portfolio_state_places_a_project_nowhere() -> None:
    assert furthest_stage("cancelled", False, False) is None
    assert furthest_stage(None, False, False) is None


def test_a_sector_comes_from_the_cycle_then_the_portfolio() -> None:
    assert sector_key(3, "Renewable energy") == "scope:3"
    assert sector_key(None, "Renewable energy") == "sector:Renewable energy"
    assert sector_key(None, None) == "unknown"
    assert sector_key(None, "") == "unknown"


def test_a_tally_sums_each_flow_per_category_most_issued_first() -> None:
    rows = [
        ("KE", Flow.ISSUED, 10),
        ("TH", Flow.ISSUED, 30),
        ("KE", Flow.CANCELLED, 4),
        ("KE", Flow.ISSUED, 5),
        ("KE", Flow.RETIRED, 1),
        ("MN", Flow.ISSUED, 15),
    ]

    assert tally(rows) == [
        FlowTotals("TH", 30, 0, 0),
        FlowTotals("KE", 15, 4, 1),
        FlowTotals("MN", 15, 0, 0),
    ]
    assert [t.key for t in tally(rows, order=("MN", "KE"))] == ["MN", "KE", "TH"]
