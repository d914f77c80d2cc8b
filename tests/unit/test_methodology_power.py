"""Waste-heat power and small hydro: worked examples derived by hand (all equations [I])."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jcm.domain.errors import InvalidInput
from jcm.domain.methodologies import get
from jcm.domain.registry.issuance import MonitoringPeriod

JANUARY = MonitoringPeriod(date(2025, 1, 1), date(2025, 1, 31))  # 744 h
TH = {"host_country": "TH", "connection": "grid", "grid": "national"}  # EF 0.40 (placeholder)
VN = {"host_country": "VN", "connection": "grid", "grid": "national"}  # EF 0.50 (placeholder)


def test_waste_heat_power_is_credited_its_net_generation() -> None:
    # TH_AM907, 12 MW: at most 12,000 × 744 / 1000 = 8,928 MWh in January.
    # EG_net = 7000 − 560 = 6440 MWh;  RE_p = 6440 × 0.40 = 2576;  PE_p = 0;  ER_p = 2576
    record = get("TH_AM907", "1.0").calculate(
        TH,
        {"P_WHR": ("12", "MW")},
        {"EG_gross_p": ("7000", "MWh"), "EC_aux_p": ("560", "MWh")},
        JANUARY,
    )

    assert record.step("EG_net_p") == Decimal(6440)
    assert record.re == Decimal("2576.000000")
    assert record.er == 2576


def test_a_shutdown_month_whose_auxiliaries_exceed_generation_credits_zero() -> None:
    # EG_net = 10 − 25 = −15 MWh;  RE_p = −15 × 0.40 = −6;  ER_p unrounded −6 → credited 0
    record = get("TH_AM907", "1.0").calculate(
        TH,
        {"P_WHR": ("12", "MW")},
        {"EG_gross_p": ("10", "MWh"), "EC_aux_p": ("25", "MWh")},
        JANUARY,
    )

    assert record.er_unrounded == Decimal("-6.000000")
    assert record.er == 0
    assert record.body["results"]["ER_p_unrounded"] == "-6.000000"
    assert record.body["results"]["ER_p"] == 0


def test_run_of_river_hydro_has_no_project_emissions() -> None:
    # VN_AM908, 16 MW run-of-river: RE_p = 5000 × 0.50 = 2500;  PE_p = 0;  ER_p = 2500
    record = get("VN_AM908", "1.0").calculate(
        VN, {"P_hydro": ("16", "MW"), "A_res": ("0", "m2")}, {"EG_p": ("5000", "MWh")}, JANUARY
    )

    assert record.re == Decimal("2500.000000")
    assert record.pe == Decimal(0)
    assert record.er == 2500
    assert "PD" not in {step["name"] for step in record.body["steps"]}


def test_a_reservoir_between_4_and_10_w_per_m2_emits_90_kg_per_mwh() -> None:
    # 10 MW, 1.5 km2: PD = 10,000 kW × 1000 / 1,500,000 m2 = 6.6666… → 6.666667 W/m2
    # RE_p = 4000 × 0.50 = 2000;  PE_p = 4000 × 0.09 = 360;  ER_p = 1640
    record = get("VN_AM908", "1.0").calculate(
        VN, {"P_hydro": ("10", "MW"), "A_res": ("1.5", "km2")}, {"EG_p": ("4000", "MWh")}
    )

    assert record.step("PD") == Decimal("6.666667")
    assert record.pe == Decimal("360.000000")
    assert record.er == 1640


def test_a_reservoir_above_10_w_per_m2_has_no_project_emissions() -> None:
    # PD = 10,000 × 1000 / 500,000 = 20 W/m2 > 10 → PE_p = 0
    record = get("VN_AM908", "1.0").calculate(
        VN, {"P_hydro": ("10", "MW"), "A_res": ("500000", "m2")}, {"EG_p": ("4000", "MWh")}
    )

    assert record.step("PD") == Decimal(20)
    assert record.pe == Decimal(0)
    assert record.er == 2000


def test_a_reservoir_at_or_below_4_w_per_m2_is_refused() -> None:
    # PD = 10,000 × 1000 / 2,500,000 = 4 W/m2: not above the minimum
    with pytest.raises(InvalidInput) as refused:
        get("VN_AM908", "1.0").prepare(VN, {"P_hydro": ("10", "MW"), "A_res": ("2500000", "m2")})

    assert refused.value.code == "M2_OUT_OF_RANGE"
    assert refused.value.details["parameter"] == "A_res"
    assert "power density of 4" in refused.value.message
