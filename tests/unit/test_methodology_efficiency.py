"""Chillers, air conditioners, LED lighting, boilers and transformers: worked examples.

Every expected number is worked out by hand in the comments (6 decimal places, half to
even, after each step, as docs/methodologies.md says); none comes from the engine.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jcm.domain.errors import InvalidInput
from jcm.domain.methodologies import get
from jcm.domain.registry.issuance import MonitoringPeriod

JANUARY = MonitoringPeriod(date(2025, 1, 1), date(2025, 1, 31))  # 744 h
GRID_ID = {"host_country": "ID", "connection": "grid", "grid": "jamali"}  # EF 0.619


def chiller_fixed(
    cop: str, t_cw: str = "37", t_chw: str = "7", q: str = "500"
) -> dict[str, tuple[str, str]]:
    return {
        "COP_PJ": (cop, "1"),
        "Q_PJ": (q, "USRt"),
        "T_cw_out": (t_cw, "degC"),
        "T_chw_out": (t_chw, "degC"),
    }


# -- chillers ----------------------------------------------------------------------------------


def test_a_chiller_rated_at_standard_conditions_is_credited_its_cop_ratio() -> None:
    # ID_AM002 v2.0 ("ver02.0"), 500 USRt → band 500-<1000, COP_RE = 6.00 (placeholder).
    # dT_PJ = 37 − 7 + 1.5 + 1.5 = 33 K;  dT_std = 37 − 7 + 3 = 33 K
    # COP_PJ,tc = 6.8 × 33 / 33 = 6.8;  ratio = 6.8 / 6 = 1.1333333… → 1.133333
    # EC × EF = 250 × 0.619 = 154.75
    # RE_p = 154.75 × 1.133333 = 154.75 + 20.63328175 = 175.38328175 → 175.383282
    # PE_p = 154.75;  ER_p = 20.633282 → 20
    record = get("ID_AM002", "ver02.0").calculate(
        GRID_ID, chiller_fixed("6.8"), {"EC_PJ_p": ("250", "MWh")}, JANUARY
    )

    assert record.step("dT_PJ") == Decimal(33)
    assert record.step("COP_PJ_tc") == Decimal("6.8")
    assert record.step("COP_ratio") == Decimal("1.133333")
    assert record.re == Decimal("175.383282")
    assert record.pe == Decimal("154.750000")
    assert record.er_unrounded == Decimal("20.633282")
    assert record.er == 20
    assert record.body["defaults"]["COP_RE"]["key"] == ["500-<1000"]
    assert record.illustrative == ("COP_RE",)  # the id is confirmed, the COP_RE is not


def test_the_temperature_correction_lowers_a_cop_rated_at_a_smaller_lift() -> None:
    # Rated at 35 °C / 7 °C: dT_PJ = 35 − 7 + 3 = 31 K, dT_std = 33 K.
    # COP_PJ,tc = 6.3 × 31 / 33 = 195.3 / 33 = 5.9181818… → 5.918182
    # ratio = 5.918182 / 6 = 0.98636366… → 0.986364
    # EC × EF = 100 × 0.619 = 61.9;  RE_p = 61.9 × 0.986364 = 61.0559316 → 61.055932
    # ER_p unrounded = 61.055932 − 61.9 = −0.844068 → credited 0 (clamped)
    record = get("ID_AM002", "1.0").calculate(
        GRID_ID, chiller_fixed("6.3", t_cw="35"), {"EC_PJ_p": ("100", "MWh")}, JANUARY
    )

    assert record.step("dT_PJ") == Decimal(31)
    assert record.step("COP_PJ_tc") == Decimal("5.918182")
    assert record.step("COP_ratio") == Decimal("0.986364")
    assert record.re == Decimal("61.055932")
    assert record.er_unrounded == Decimal("-0.844068")
    assert record.er == 0


@pytest.mark.parametrize(
    ("capacity", "band", "cop_re"),
    [
        ("299.9", "<300", "5.50"),
        ("300", "300-<450", "5.70"),
        ("449.99", "300-<450", "5.70"),
        ("450", "450-<500", "5.80"),
        ("1500", ">=1500", "6.20"),
    ],
)
def test_the_reference_cop_comes_from_the_band_of_the_rated_capacity(
    capacity: str, band: str, cop_re: str
) -> None:
    record = get("ID_AM002", "1.0").calculate(
        GRID_ID, chiller_fixed("6.5", q=capacity), {"EC_PJ_p": ("1", "MWh")}
    )

    assert record.body["defaults"]["COP_RE"]["key"] == [band]
    assert Decimal(record.body["defaults"]["COP_RE"]["value"]) == Decimal(cop_re)


def test_a_chilled_water_temperature_above_the_cooling_water_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        get("ID_AM002", "1.0").prepare(GRID_ID, chiller_fixed("6.5", t_cw="20", t_chw="20"))

    assert refused.value.code == "M2_OUT_OF_RANGE"
    assert refused.value.details["parameter"] == "T_chw_out"


def test_an_inverter_air_conditioner_uses_the_rated_cop_ratio_without_correction() -> None:
    # ID_AM004, 10 USRt → band 4-<20, COP_RE = 3.40 (placeholder).
    # ratio = 4.2 / 3.4 = 1.2352941… → 1.235294
    # EC × EF = 40 × 0.619 = 24.76;  RE_p = 24.76 × 1.235294 = 30.58587944 → 30.585879
    # PE_p = 24.76;  ER_p = 5.825879 → 5
    record = get("ID_AM004", "2.0").calculate(
        GRID_ID,
        {"COP_PJ": ("4.2", "1"), "Q_PJ": ("10", "USRt")},
        {"EC_PJ_p": ("40000", "kWh")},
    )

    assert record.step("COP_ratio") == Decimal("1.235294")
    assert record.re == Decimal("30.585879")
    assert record.pe == Decimal("24.760000")
    assert record.er == 5
    assert "COP_PJ_tc" not in {step["name"] for step in record.body["steps"]}


# -- LED lighting ------------------------------------------------------------------------------


def test_led_lighting_is_credited_the_efficacy_ratio() -> None:
    # ID_AM020, downlights: eta_RE = 60 lm/W (placeholder); eta_PJ = 130 lm/W.
    # ratio = 130 / 60 = 2.1666666… → 2.166667
    # EC × EF = 12.5 × 0.619 = 7.7375
    # RE_p = 7.7375 × 2.166667 = 15.475 + 7.7375 × 0.166667 (= 1.2895859125)
    #      = 16.7645859125 → 16.764586
    # PE_p = 7.7375;  ER_p = 9.027086 → 9
    record = get("ID_AM020", "1.0").calculate(
        GRID_ID | {"lamp_type": "downlight"},
        {"eta_PJ": ("130", "lm/W")},
        {"EC_PJ_p": ("12500", "kWh")},
        JANUARY,
    )

    assert record.step("eta_ratio") == Decimal("2.166667")
    assert record.re == Decimal("16.764586")
    assert record.pe == Decimal("7.737500")
    assert record.er_unrounded == Decimal("9.027086")
    assert record.er == 9


def test_a_lamp_type_without_a_reference_efficacy_has_no_default() -> None:
    with pytest.raises(InvalidInput) as refused:
        get("ID_AM020", "1.0").prepare(GRID_ID | {"lamp_type": "neon"}, {"eta_PJ": ("130", "lm/W")})

    assert refused.value.code == "M5_NO_DEFAULT"
    assert refused.value.details["key"] == ["neon"]
    assert "downlight" in refused.value.details["available"]


# -- boilers -----------------------------------------------------------------------------------


def test_a_coal_heat_only_boiler_is_credited_its_efficiency_ratio() -> None:
    # MN_AM002, other bituminous coal: NCV 19.9 GJ/t, EF 0.0895 tCO2/GJ; eta_RE = 0.80;
    # EF_elec (MN, placeholder) = 0.533.
    # HI = 100 t × 19.9 = 1990 GJ;  FE = 1990 × 0.0895 = 178.105 tCO2
    # ratio = 0.84 / 0.80 = 1.05;  RE_p = 178.105 × 1.05 = 187.01025
    # PE_p = 178.105 + 3 × 0.533 (= 1.599) = 179.704;  ER_p = 7.30625 → 7
    record = get("MN_AM002", "1.0").calculate(
        {
            "host_country": "MN",
            "connection": "grid",
            "grid": "national",
            "fuel": "other_bituminous_coal",
            "boiler_type": "coal_hob",
        },
        {"eta_PJ": ("0.84", "1")},
        {"FC_PJ_p": ("100", "t"), "EC_aux_p": ("3", "MWh")},
        JANUARY,
    )

    assert record.step("HI_PJ_p") == Decimal(1990)
    assert record.step("FE_PJ_p") == Decimal("178.105")
    assert record.step("eta_ratio") == Decimal("1.05")
    assert record.re == Decimal("187.010250")
    assert record.pe == Decimal("179.704000")
    assert record.er == 7


def test_a_gas_boiler_uses_the_natural_gas_defaults() -> None:
    # ID_AM905, natural gas: NCV 46.5 GJ/t, EF 0.0543; eta_RE 0.89 (placeholder); EF_elec 0.619
    # HI = 150 × 46.5 = 6975 GJ;  FE = 6975 × 0.0543 = 378.7425
    # ratio = 0.95 / 0.89 = 1.0674157… → 1.067416
    # RE_p = 378.7425 × 1.067416 = 378.7425 + 25.53330438 = 404.27580438 → 404.275804
    # PE_p = 378.7425 + 5 × 0.619 (= 3.095) = 381.8375;  ER_p = 22.438304 → 22
    record = get("ID_AM905", "1.0").calculate(
        GRID_ID | {"fuel": "natural_gas", "boiler_type": "oil_gas_boiler"},
        {"eta_PJ": ("0.95", "1")},
        {"FC_PJ_p": ("150000", "kg"), "EC_aux_p": ("5", "MWh")},
    )

    assert record.step("eta_ratio") == Decimal("1.067416")
    assert record.re == Decimal("404.275804")
    assert record.pe == Decimal("381.837500")
    assert record.er == 22
    assert record.body["monitored"]["FC_PJ_p"]["given_unit"] == "kg"
    assert record.body["monitored"]["FC_PJ_p"]["value"] == "150"


# -- transformers ------------------------------------------------------------------------------

VN = {"host_country": "VN", "connection": "grid", "grid": "national"}  # EF 0.50 (placeholder)
TRANSFORMERS = {"N_units": ("1000", "1"), "S_rated": ("250", "kVA"), "NLL_PJ": ("0.16", "kW")}


def test_amorphous_transformers_are_credited_the_no_load_loss_they_avoid() -> None:
    # VN_AM002: 1000 × 250 kVA, NLL_RE = 0.58 kW (placeholder), NLL_PJ = 0.16 kW, t = 744 h.
    # E_RE = 1000 × 0.58 × 744 / 1000 = 431.52 MWh;  E_PJ = 1000 × 0.16 × 744 / 1000 = 119.04
    # RE_p = 431.52 × 0.5 = 215.76;  PE_p = 119.04 × 0.5 = 59.52
    # ER_p = 156.24 → 156  (= 1000 × (0.58 − 0.16) × 744 × 0.5 / 1000)
    record = get("VN_AM002", "1.0").calculate(VN, TRANSFORMERS, {"t_p": ("744", "h")}, JANUARY)

    assert record.step("E_RE_p") == Decimal("431.52")
    assert record.step("E_PJ_p") == Decimal("119.04")
    assert record.re == Decimal("215.760000")
    assert record.pe == Decimal("59.520000")
    assert record.er == 156


def test_energised_hours_beyond_the_period_are_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        get("VN_AM002", "1.0").calculate(VN, TRANSFORMERS, {"t_p": ("745", "h")}, JANUARY)

    assert refused.value.code == "M2_OUT_OF_RANGE"
    assert refused.value.details["parameter"] == "t_p"
    assert "745 h exceeds 744 h" in refused.value.message


def test_a_capacity_class_without_a_reference_loss_has_no_default() -> None:
    with pytest.raises(InvalidInput) as refused:
        get("VN_AM002", "1.0").prepare(VN, TRANSFORMERS | {"S_rated": ("300", "kVA")})

    assert refused.value.code == "M5_NO_DEFAULT"
    assert refused.value.details["parameter"] == "NLL_RE"
    assert refused.value.details["key"] == ["300"]


def test_a_fractional_number_of_transformers_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        get("VN_AM002", "1.0").prepare(VN, TRANSFORMERS | {"N_units": ("2.5", "1")})

    assert refused.value.code == "M2_OUT_OF_RANGE"
    assert "whole numbers" in refused.value.message
