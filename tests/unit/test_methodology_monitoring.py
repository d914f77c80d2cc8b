"""Monitoring periods: one record per period from monthly monitored totals."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

from jcm.domain.errors import InvalidInput
from jcm.domain.methodologies import PeriodValues, compute_periods, get, monthly_periods
from jcm.domain.registry.issuance import MonitoringPeriod

FACTS = {"host_country": "ID", "connection": "grid", "grid": "jamali"}  # EF 0.619


def test_monthly_periods_run_from_the_first_to_the_last_day_of_each_month() -> None:
    periods = monthly_periods(date(2023, 12, 15), 3)

    assert [(p.start, p.end) for p in periods] == [
        (date(2023, 12, 1), date(2023, 12, 31)),
        (date(2024, 1, 1), date(2024, 1, 31)),
        (date(2024, 2, 1), date(2024, 2, 29)),  # leap year
    ]


def test_ten_years_of_months_are_120_contiguous_periods() -> None:
    periods = monthly_periods(date(2025, 1, 1), 120)

    assert len(periods) == 120
    assert periods[-1].end == date(2034, 12, 31)
    assert all((b.start - a.end).days == 1 for a, b in itertools.pairwise(periods))


def test_each_month_gets_its_own_record_floored_on_its_own() -> None:
    # Monthly kWh totals on Jamali (0.619):
    #   Jan 61,234 kWh → 61.234 × 0.619 = 37.903846 → 37
    #   Feb 50,000 kWh → 50 × 0.619 = 30.95 → 30
    #   Mar 70,001 kWh → 70.001 × 0.619 = 43.330619 → 43
    # total credited = 37 + 30 + 43 = 110, while floor(37.903846 + 30.95 + 43.330619 =
    # 112.184465) = 112: flooring per period is conservative.
    periods = monthly_periods(date(2025, 1, 1), 3)
    values = ["61234", "50000", "70001"]

    result = compute_periods(
        get("ID_AM901", "1.0"),
        FACTS,
        {"P_PV": ("500", "kW")},
        [PeriodValues(p, {"EG_p": (v, "kWh")}) for p, v in zip(periods, values, strict=True)],
    )

    assert [r.er for r in result.records] == [37, 30, 43]
    assert [r.re for r in result.records] == [
        Decimal("37.903846"),
        Decimal("30.950000"),
        Decimal("43.330619"),
    ]
    assert result.total_er == 110
    assert result.sum_er_unrounded == Decimal("112.184465")
    assert result.netted_er == 112
    assert [r.period for r in result.records] == list(periods)
    assert len({r.digest for r in result.records}) == 3
    assert (result.methodology, result.version) == ("ID_AM901", "1.0")


def test_a_bad_value_names_its_period() -> None:
    periods = monthly_periods(date(2025, 1, 1), 2)

    with pytest.raises(InvalidInput) as refused:
        compute_periods(
            get("ID_AM901", "1.0"),
            FACTS,
            {"P_PV": ("500", "kW")},
            [
                PeriodValues(periods[0], {"EG_p": ("1", "MWh")}),
                PeriodValues(periods[1], {"EG_p": ("-1", "MWh")}),
            ],
        )

    assert refused.value.code == "M2_OUT_OF_RANGE"
    assert refused.value.details["period"] == "2025-02-01..2025-02-28"
    assert str(refused.value).startswith("[M2_OUT_OF_RANGE] Monitoring period 2025-02-01..2025")


def test_overlapping_periods_are_refused() -> None:
    january = MonitoringPeriod(date(2025, 1, 1), date(2025, 1, 31))
    late_january = MonitoringPeriod(date(2025, 1, 31), date(2025, 2, 27))

    with pytest.raises(InvalidInput) as refused:
        compute_periods(
            get("ID_AM901", "1.0"),
            FACTS,
            {"P_PV": ("500", "kW")},
            [
                PeriodValues(late_january, {"EG_p": ("1", "MWh")}),
                PeriodValues(january, {"EG_p": ("1", "MWh")}),
            ],
        )

    assert refused.value.code == "M9_OVERLAPPING_PERIODS"


def test_periods_with_a_gap_between_them_are_accepted() -> None:
    january = MonitoringPeriod(date(2025, 1, 1), date(2025, 1, 31))
    march = MonitoringPeriod(date(2025, 3, 1), date(2025, 3, 31))

    result = compute_periods(
        get("ID_AM901", "1.0"),
        FACTS,
        {"P_PV": ("500", "kW")},
        [
            PeriodValues(january, {"EG_p": ("1", "MWh")}),
            PeriodValues(march, {"EG_p": ("2", "MWh")}),
        ],
    )

    assert [r.er for r in result.records] == [0, 1]  # 0.619 → 0; 1.238 → 1


def test_a_negative_period_is_credited_zero_and_not_netted_against_the_others() -> None:
    # TH_AM907 (EF 0.40): Jan net 100 − 0 = 100 MWh → RE 40 → 40;
    # Feb net 10 − 35 = −25 MWh → RE −10 → credited 0 (unrounded −10).
    # Credited total 40; the netted alternative is floor(40 − 10) = 30.
    periods = monthly_periods(date(2025, 1, 1), 2)
    result = compute_periods(
        get("TH_AM907", "1.0"),
        {"host_country": "TH", "connection": "grid", "grid": "national"},
        {"P_WHR": ("2", "MW")},
        [
            PeriodValues(periods[0], {"EG_gross_p": ("100", "MWh"), "EC_aux_p": ("0", "MWh")}),
            PeriodValues(periods[1], {"EG_gross_p": ("10", "MWh"), "EC_aux_p": ("35", "MWh")}),
        ],
    )

    assert [r.er for r in result.records] == [40, 0]
    assert [r.er_unrounded for r in result.records] == [Decimal(40), Decimal(-10)]
    assert result.total_er == 40
    assert result.netted_er == 30
