"""The methodologies that replaced illustrative ones (jcm_methodologies_confirmed.md):
worked examples derived by hand, and their illustrative marks.

Every expected number is worked out in the comments (6 decimal places, half to even, after
each step); none comes from the engine. Grid EFs outside Indonesia are still placeholders
(the research could not retrieve them), so grid cases stay marked illustrative.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jcm.domain.errors import InvalidInput
from jcm.domain.methodologies import IdStatus, get
from jcm.domain.methodologies.model import FactValue
from jcm.domain.registry.issuance import MonitoringPeriod

JANUARY = MonitoringPeriod(date(2025, 1, 1), date(2025, 1, 31))  # 744 h


def facts(country: str, connection: str = "grid", **more: FactValue) -> dict[str, FactValue]:
    grid = "jamali" if country == "ID" else "national"
    return {"host_country": country, "connection": connection, "grid": grid, **more}


@pytest.mark.parametrize(
    ("key", "approved"),
    [
        (("MN_AM003", "2.0"), "2017-01-30"),
        (("VN_AM007", "1.0"), "2017-10-10"),
        (("TH_AM016", "1.0"), "2022-06-17"),
        (("MM_AM005", "1.0"), "2020-04-20"),
        (("PH_AM001", "1.0"), "2020-02-02"),
        (("KE_AM002", "1.0"), "2017-03-23"),
        (("TH_AM001", "1.0"), "2016-08-23"),
        (("ID_AM001", "1.0"), None),  # version and approval date unknown
        (("ID_AM002", "2.0"), None),  # "ver02.0"; approval date not found
    ],
)
def test_a_confirmed_replacement_carries_its_confirmed_id_and_approval_date(
    key: tuple[str, str], approved: str | None
) -> None:
    methodology = get(*key)

    assert methodology.id_status is IdStatus.CONFIRMED
    assert methodology.approved == approved


@pytest.mark.parametrize("gone", ["MN_AM901", "VN_AM901", "TH_AM904", "ID_AM907", "MM_AM907"])
def test_the_illustrative_ids_they_replace_are_gone(gone: str) -> None:
    with pytest.raises(Exception, match="M0_UNKNOWN_METHODOLOGY"):
        get(gone, "1.0")


# -- solar PV: either the grid EF or the diesel EF (MN_AM003, VN_AM007) ----------------------


def test_mn_am003_on_the_grid_uses_the_grid_factor_and_is_marked_illustrative() -> None:
    # MN national grid EF 0.533 (placeholder).  At most 2,100 × 744 / 1000 = 1,562.4 MWh.
    # RE_p = 250 × 0.533 = 133.25;  PE_p = 0;  ER_p = 133
    record = get("MN_AM003", "2.0").calculate(
        facts("MN"), {"P_PV": ("2.1", "MW")}, {"EG_p": ("250", "MWh")}, JANUARY
    )

    assert record.re == Decimal("133.250000")
    assert record.pe == Decimal("0.000000")
    assert record.er == 133
    assert record.illustrative == ("EF_RE",)


def test_mn_am003_off_grid_uses_the_diesel_factor_and_rests_on_no_placeholder() -> None:
    # captive diesel EF 0.533 ([I], not a placeholder): RE_p = 100 × 0.533 = 53.3 → ER_p 53
    record = get("MN_AM003", "2.0").calculate(
        facts("MN", "captive_only"), {"P_PV": ("2.1", "MW")}, {"EG_p": ("100", "MWh")}, JANUARY
    )

    assert record.re == Decimal("53.300000")
    assert record.er == 53
    assert record.body["defaults"]["EF_RE"]["table"] == "JCM_CAPTIVE_DIESEL_EF"
    assert record.illustrative == ()


@pytest.mark.parametrize("key", [("MN_AM003", "2.0"), ("VN_AM007", "1.0")])
def test_the_either_or_rule_refuses_a_blend_of_grid_and_captive(key: tuple[str, str]) -> None:
    methodology = get(*key)

    assert methodology.connections == ("grid", "captive_only")
    with pytest.raises(InvalidInput) as refused:
        methodology.prepare(facts(key[0][:2], "grid_and_captive"), {"P_PV": ("1", "MW")})
    assert refused.value.code == "M8_BAD_FACT"
    criterion = {c.id: c for c in methodology.criteria}["C2"]
    assert criterion.confirmation.value == "C"


def test_vn_am007_credits_the_pv_electricity_consumed_and_sold() -> None:
    # EG_p = 300 (consumption point) + 120.5 (export point) = 420.5 MWh
    # (at most 1,000 × 744 / 1000 = 744 MWh);  VN grid EF 0.50 (placeholder)
    # RE_p = 420.5 × 0.50 = 210.25;  PE_p = 0;  ER_p = 210
    record = get("VN_AM007", "1.0").calculate(
        facts("VN"),
        {"P_PV": ("1", "MW")},
        {"EC_PV_p": ("300", "MWh"), "ES_PV_p": ("120500", "kWh")},
        JANUARY,
    )

    assert record.step("EG_p") == Decimal("420.5")
    assert record.re == Decimal("210.250000")
    assert record.er == 210
    assert record.illustrative == ("EF_RE",)


def test_vn_am007_refuses_more_consumed_and_sold_than_the_plant_can_generate() -> None:
    # 600 + 200 = 800 MWh > 744 MWh
    with pytest.raises(InvalidInput) as refused:
        get("VN_AM007", "1.0").calculate(
            facts("VN"),
            {"P_PV": ("1", "MW")},
            {"EC_PV_p": ("600", "MWh"), "ES_PV_p": ("200", "MWh")},
            JANUARY,
        )
    assert refused.value.code == "M2_OUT_OF_RANGE"


def test_vn_am007_needs_both_metering_points_not_the_generation() -> None:
    with pytest.raises(InvalidInput) as refused:
        get("VN_AM007", "1.0").calculate(
            facts("VN"), {"P_PV": ("1", "MW")}, {"EG_p": ("100", "MWh")}, JANUARY
        )
    assert refused.value.code == "M1_UNKNOWN_PARAMETER"


# -- LED: TH_AM016 ---------------------------------------------------------------------------


def test_th_am016_credits_the_efficacy_ratio_like_id_am020() -> None:
    # downlights: eta_RE = 60 lm/W (placeholder), eta_PJ = 130 lm/W;
    # ratio = 130 / 60 = 2.1666666… → 2.166667
    # EC × EF = 12 × 0.40 (TH grid, placeholder) = 4.8
    # RE_p = 4.8 × 2.166667 = 10.4000016 → 10.400002;  PE_p = 4.8
    # ER_p = 5.600002 → 5
    record = get("TH_AM016", "1.0").calculate(
        facts("TH", lamp_type="downlight"),
        {"eta_PJ": ("130", "lm/W")},
        {"EC_PJ_p": ("12", "MWh")},
        JANUARY,
    )

    assert record.step("eta_ratio") == Decimal("2.166667")
    assert record.re == Decimal("10.400002")
    assert record.pe == Decimal("4.800000")
    assert record.er_unrounded == Decimal("5.600002")
    assert record.er == 5
    assert record.illustrative == ("EF_elec", "eta_RE")


def test_th_am016_is_for_downlights_and_spotlights_with_high_colour_rendering() -> None:
    th = facts("TH", technology="led", lamp_type="tube", efficacy_lm_per_w=Decimal(130))

    result = get("TH_AM016", "1.0").check_eligibility(th | {"colour_rendering_ra": 92})

    assert "C1" in result.failed_ids


# -- waste-heat power: ID_AM001, MM_AM005 ----------------------------------------------------


def test_id_am001_credits_net_waste_heat_generation_on_the_jamali_grid() -> None:
    # 28 MW (ID013): at most 28,000 × 744 / 1000 = 20,832 MWh.
    # EG_net = 15,000 − 1,200 = 13,800 MWh;  RE_p = 13,800 × 0.619 = 8,542.2;  PE_p = 0
    # ER_p = 8,542.  Jamali Case 1 (0.619) is [C]: nothing is illustrative.
    record = get("ID_AM001", "1.0").calculate(
        facts("ID"),
        {"P_WHR": ("28", "MW")},
        {"EG_gross_p": ("15000", "MWh"), "EC_aux_p": ("1200", "MWh")},
        JANUARY,
    )

    assert record.step("EG_net_p") == Decimal(13800)
    assert record.re == Decimal("8542.200000")
    assert record.pe == Decimal("0.000000")
    assert record.er == 8542
    assert record.illustrative == ()


def test_mm_am005_credits_net_generation_displacing_grid_or_captive_power() -> None:
    # 8.8 MW: at most 6,547.2 MWh.  EG_net = 5,000 − 400 = 4,600 MWh.
    # grid: RE_p = 4,600 × 0.35 (MM grid, placeholder) = 1,610 → ER_p 1,610
    # captive: RE_p = 4,600 × 0.533 = 2,451.8 → ER_p 2,451
    monitored = {"EG_gross_p": ("5000", "MWh"), "EC_aux_p": ("400", "MWh")}
    mm = get("MM_AM005", "1.0")

    on_grid = mm.calculate(facts("MM"), {"P_WHR": ("8.8", "MW")}, monitored, JANUARY)
    captive = mm.calculate(
        facts("MM", "captive_only"), {"P_WHR": ("8.8", "MW")}, monitored, JANUARY
    )

    assert (on_grid.re, on_grid.er) == (Decimal("1610.000000"), 1610)
    assert on_grid.illustrative == ("EF_RE",)
    assert (captive.re, captive.er) == (Decimal("2451.800000"), 2451)
    assert captive.illustrative == ()


# -- run-of-river hydro: PH_AM001 ------------------------------------------------------------


def test_ph_am001_run_of_river_has_zero_project_emissions() -> None:
    # 5 MW: at most 3,720 MWh.  RE_p = 2,000 × 0.50 (PH grid, placeholder) = 1,000
    # PE_p = 0 [C];  ER_p = 1,000
    record = get("PH_AM001", "1.0").calculate(
        facts("PH"), {"P_hydro": ("5", "MW")}, {"EG_p": ("2000", "MWh")}, JANUARY
    )

    assert record.re == Decimal("1000.000000")
    assert record.pe == Decimal("0.000000")
    assert record.er == 1000
    assert set(record.body["defaults"]) == {"EF_RE"}  # no reservoir defaults
    assert {e.id: e.confirmation.value for e in get("PH_AM001", "1.0").equations}["PE"] == "C"


def test_ph_am001_has_no_reservoir_branch() -> None:
    with pytest.raises(InvalidInput) as refused:
        get("PH_AM001", "1.0").prepare(facts("PH"), {"P_hydro": ("5", "MW"), "A_res": ("1", "km2")})
    assert refused.value.code == "M1_UNKNOWN_PARAMETER"

    result = get("PH_AM001", "1.0").check_eligibility(
        facts("PH", technology="hydro", capacity_mw=5, scheme="reservoir")
    )
    assert result.failed_ids == ("C4",)
