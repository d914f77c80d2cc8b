"""Solar PV and PV + storage: worked examples derived by hand (jcm_rules §3.2).

Every expected number is worked out in the comments; none comes from the engine.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jcm.domain.errors import InvalidInput
from jcm.domain.methodologies import get
from jcm.domain.methodologies.model import FactValue
from jcm.domain.registry.issuance import MonitoringPeriod

JANUARY = MonitoringPeriod(date(2025, 1, 1), date(2025, 1, 31))  # 31 days = 744 h
FEBRUARY = MonitoringPeriod(date(2025, 2, 1), date(2025, 2, 28))  # 28 days = 672 h


def pv_facts(
    country: str = "ID", grid: str = "jamali", connection: str = "grid"
) -> dict[str, FactValue]:
    return {
        "host_country": country,
        "technology": "solar_pv",
        "connection": connection,
        "grid": grid,
        "pv_modules_iec_certified": True,
    }


def test_indonesian_grid_pv_uses_the_case_1_factor_of_its_grid() -> None:
    # 500 kW on the Jamali grid, Case 1: EF_RE = 0.619 tCO2/MWh (jcm_rules §3.2 table).
    # EG_p = 61,234 kWh = 61.234 MWh
    # RE_p = 61.234 × 0.619 = 36.7404 (× 0.6) + 1.163446 (× 0.019) = 37.903846 tCO2
    # PE_p = 0;  ER_p = floor(37.903846) = 37
    record = get("ID_AM901", "1.0").calculate(
        pv_facts(), {"P_PV": ("500", "kW")}, {"EG_p": ("61234", "kWh")}, JANUARY
    )

    assert record.re == Decimal("37.903846")
    assert record.pe == Decimal("0.000000")
    assert record.er_unrounded == Decimal("37.903846")
    assert record.er == 37
    default = record.body["defaults"]["EF_RE"]
    assert default["value"] == "0.619"
    assert default["key"] == ["ID", "jamali", "1"]
    assert default["confirmation"] == "C"
    assert default["placeholder"] is False
    assert "M15" in default["source"]


def test_case_2_on_the_same_grid_uses_the_lower_captive_capped_factor() -> None:
    # Jamali Case 2: EF_RE = 0.533.  RE_p = 61.234 × 0.533 = 30.617 + 2.020722 = 32.637722
    record = get("ID_AM901", "1.0").calculate(
        pv_facts(connection="grid_and_captive"),
        {"P_PV": ("500", "kW")},
        {"EG_p": ("61.234", "MWh")},
        JANUARY,
    )

    assert record.re == Decimal("32.637722")
    assert record.er == 32
    assert record.body["defaults"]["EF_RE"]["key"] == ["ID", "jamali", "2"]


@pytest.mark.parametrize(
    ("grid", "ef", "expected_re"),
    [
        ("sumatra", "0.458", "45.800000"),  # 100 MWh × 0.458
        ("sulselbar", "0.243", "24.300000"),  # 100 MWh × 0.243
        ("barito", "0.653", "65.300000"),  # 100 MWh × 0.653
    ],
)
def test_each_indonesian_grid_has_its_own_factor(grid: str, ef: str, expected_re: str) -> None:
    record = get("ID_AM901", "1.0").calculate(
        pv_facts(grid=grid), {"P_PV": ("1", "MW")}, {"EG_p": ("100", "MWh")}
    )

    assert record.body["defaults"]["EF_RE"]["value"] == ef
    assert record.re == Decimal(expected_re)


def test_an_off_grid_pv_system_displaces_captive_diesel_at_0_533() -> None:
    # KE_AM002, captive only: EF_RE = 0.533 (conservative diesel EF, [I]).
    # EG_p = 12.5 MWh; RE_p = 12.5 × 0.533 = 6.6625 → ER_p = 6
    record = get("KE_AM002", "1.0").calculate(
        pv_facts("KE", "national", "captive_only"),
        {"P_PV": ("100", "kW")},
        {"EG_p": ("12500", "kWh")},
        JANUARY,
    )

    assert record.re == Decimal("6.662500")
    assert record.er == 6
    assert record.body["defaults"]["EF_RE"]["table"] == "JCM_CAPTIVE_DIESEL_EF"
    assert record.body["defaults"]["EF_RE"]["confirmation"] == "I"


def test_a_placeholder_grid_factor_is_flagged_in_the_record() -> None:
    record = get("LK_AM901", "1.0").calculate(
        pv_facts("LK", "national"), {"P_PV": ("1", "MW")}, {"EG_p": ("10", "MWh")}
    )

    assert record.body["defaults"]["EF_RE"]["placeholder"] is True
    assert record.body["defaults"]["EF_RE"]["source"].startswith("PLACEHOLDER")
    assert record.illustrative == ("id", "EF_RE")
    assert [m["item"] for m in record.body["illustrative"]] == ["id", "EF_RE"]


def test_kh_am002_weights_generation_by_the_category_of_the_day() -> None:
    # Cambodia: grid days at EF_grid = 0.533 ([I], diesel-based grid), diesel-only days at
    # EF_diesel = 0.533.  RE_grid = 40 × 0.533 = 21.32; RE_offgrid = 10 × 0.533 = 5.33;
    # RE_p = 26.65 → ER_p = 26
    facts = pv_facts("KH", "national") | {"daily_category_recorded": True}
    record = get("KH_AM002", "1.0").calculate(
        facts,
        {"P_PV": ("300", "kW")},
        {"EG_grid_p": ("40", "MWh"), "EG_offgrid_p": ("10", "MWh")},
        JANUARY,
    )

    assert record.step("RE_grid_p") == Decimal("21.32")
    assert record.step("RE_offgrid_p") == Decimal("5.33")
    assert record.re == Decimal("26.650000")
    assert record.er == 26
    assert set(record.body["defaults"]) == {"EF_grid", "EF_diesel"}


def test_generation_above_what_the_rated_capacity_can_produce_is_refused() -> None:
    # 100 kW over February (672 h) can produce at most 100 × 672 / 1000 = 67.2 MWh.
    pv = get("ID_AM901", "1.0")
    ok = pv.calculate(pv_facts(), {"P_PV": ("100", "kW")}, {"EG_p": ("67.2", "MWh")}, FEBRUARY)
    assert ok.re == Decimal("41.596800")  # 67.2 × 0.619

    with pytest.raises(InvalidInput) as refused:
        pv.calculate(pv_facts(), {"P_PV": ("100", "kW")}, {"EG_p": ("67.3", "MWh")}, FEBRUARY)

    assert refused.value.code == "M2_OUT_OF_RANGE"
    assert refused.value.details["parameter"] == "EG_p"
    assert "67.3 MWh exceeds 67.2 MWh" in refused.value.message


def test_pv_with_storage_credits_the_net_of_battery_charge_and_discharge() -> None:
    # ID_AM017 on Sulselbar, Case 1: EF_RE = 0.243.
    # EG_net = 100 − 20 + 18 = 98 MWh (2 MWh lost in the battery)
    # RE_p = 98 × 0.243 = 23.814 → ER_p = 23
    facts = pv_facts(grid="sulselbar") | {
        "technology": "solar_pv_storage",
        "battery_charged_from_pv_only": True,
    }
    record = get("ID_AM017", "1.0").calculate(
        facts,
        {"P_PV": ("500", "kW")},
        {"EG_PV_p": ("100", "MWh"), "E_charge_p": ("20", "MWh"), "E_discharge_p": ("18", "MWh")},
        JANUARY,
    )

    assert record.step("EG_net_p") == Decimal("98")
    assert record.re == Decimal("23.814000")
    assert record.er == 23


def test_a_battery_charged_with_more_than_the_pv_generated_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        get("ID_AM017", "1.0").calculate(
            pv_facts(),
            {"P_PV": ("500", "kW")},
            {"EG_PV_p": ("10", "MWh"), "E_charge_p": ("11", "MWh"), "E_discharge_p": ("0", "MWh")},
        )

    assert refused.value.code == "M2_OUT_OF_RANGE"
    assert refused.value.details["parameter"] == "E_charge_p"
    assert "charged from PV only" in refused.value.message
