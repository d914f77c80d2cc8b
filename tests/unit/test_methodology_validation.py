"""Parameter validation: every refusal names the parameter, the value and what was expected."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import cast

import pytest

from jcm.domain.errors import InvalidInput, JcmError
from jcm.domain.methodologies import Quantity, get
from jcm.domain.methodologies.model import FactValue
from jcm.domain.registry.issuance import MonitoringPeriod

FACTS: dict[str, FactValue] = {"host_country": "ID", "connection": "grid", "grid": "jamali"}
FIXED = {"P_PV": ("500", "kW")}
Readings = Mapping[str, object]


def refusal(
    monitored: Readings, fixed: Readings | None = None, facts: dict[str, FactValue] | None = None
) -> JcmError:
    with pytest.raises(InvalidInput) as refused:
        get("ID_AM901", "1.0").calculate(
            FACTS if facts is None else facts, FIXED if fixed is None else fixed, monitored
        )
    return refused.value


def test_an_unknown_parameter_is_refused_listing_the_known_ones() -> None:
    error = refusal({"EG": ("10", "MWh")})

    assert error.code == "M1_UNKNOWN_PARAMETER"
    assert error.details["parameter"] == "EG"
    assert error.details["expected"] == ["EG_p"]
    assert "'EG'" in error.message
    assert "EG_p" in error.message


def test_a_monitored_parameter_given_as_fixed_is_refused_saying_its_kind() -> None:
    error = refusal({"EG_p": ("10", "MWh")}, fixed=FIXED | {"EG_p": ("10", "MWh")})

    assert error.code == "M1_UNKNOWN_PARAMETER"
    assert "it is a monitored parameter" in error.message


def test_a_value_outside_the_range_is_refused_with_the_range() -> None:
    error = refusal({"EG_p": ("-1", "MWh")})

    assert error.code == "M2_OUT_OF_RANGE"
    assert error.details == {
        "parameter": "EG_p",
        "value": "-1",
        "unit": "MWh",
        "allowed": "[0, 10000000]",
    }
    assert "EG_p = -1 MWh is outside the allowed range [0, 10000000] MWh" in error.message


def test_an_open_bound_is_shown_and_enforced() -> None:
    error = refusal({"EG_p": ("1", "MWh")}, fixed={"P_PV": ("0", "kW")})

    assert error.code == "M2_OUT_OF_RANGE"
    assert error.details["allowed"] == "(0, 1000000]"


def test_a_range_is_checked_after_converting_to_the_parameter_unit() -> None:
    # 10,000,001 MWh given as 10,000.001 GWh is one MWh too many.
    assert refusal({"EG_p": ("10000.001", "GWh")}).code == "M2_OUT_OF_RANGE"


def test_a_value_in_a_unit_of_another_dimension_is_refused() -> None:
    error = refusal({"EG_p": ("10", "kW")})

    assert error.code == "M3_WRONG_UNIT"
    assert error.details["parameter"] == "EG_p"
    assert error.details["unit"] == "kW"
    assert error.details["expected_unit"] == "MWh"
    assert error.details["accepted_units"] == ["MWh", "kWh", "GWh"]
    assert "given in 'kW' but is measured in 'MWh'" in error.message


@pytest.mark.parametrize("unit", ["kwh", "MWH", "", "tCO2/MWh"])
def test_a_misspelt_or_unknown_unit_is_refused(unit: str) -> None:
    assert refusal({"EG_p": ("10", unit)}).code == "M3_WRONG_UNIT"


def test_a_value_without_a_unit_is_refused() -> None:
    error = refusal({"EG_p": Decimal(10)})

    assert error.code == "M3_WRONG_UNIT"
    assert "has no unit" in error.message


def test_a_quantity_object_is_accepted_like_a_pair() -> None:
    record = get("ID_AM901", "1.0").calculate(
        FACTS, {"P_PV": Quantity(Decimal(500), "kW")}, {"EG_p": Quantity(Decimal(10), "MWh")}
    )

    assert record.re == Decimal("6.190000")


def test_a_missing_parameter_is_refused_with_its_unit_and_range() -> None:
    error = refusal({})

    assert error.code == "M4_MISSING_PARAMETER"
    assert error.details["parameters"] == ["EG_p"]
    assert "EG_p (MWh, [0, 10000000])" in error.message


def test_a_grid_missing_from_the_default_table_has_no_default() -> None:
    error = refusal({"EG_p": ("10", "MWh")}, facts=FACTS | {"grid": "papua"})

    assert error.code == "M5_NO_DEFAULT"
    assert error.details["table"] == "JCM_GRID_EF"
    assert error.details["key"] == ["ID", "papua", "1"]
    assert "ID/jamali/1" in error.details["available"]


@pytest.mark.parametrize(
    "value",
    [10.5, float("nan"), True, None, "ten", "NaN", "Infinity", "1." + "1" * 20, Decimal("sNaN")],
)
def test_floats_and_non_numbers_are_refused(value: object) -> None:
    error = refusal({"EG_p": (value, "MWh")})

    assert error.code == "M6_NOT_DECIMAL"
    assert error.details["parameter"] == "EG_p"


def test_an_emission_factor_cannot_be_typed_in() -> None:
    error = refusal({"EG_p": ("10", "MWh"), "EF_RE": ("0.1", "tCO2/MWh")})

    assert error.code == "M7_DEFAULT_NOT_INPUT"
    assert error.details["parameter"] == "EF_RE"
    assert "versioned table" in error.message


def test_an_emission_factor_cannot_be_typed_in_as_a_fixed_value_either() -> None:
    error = refusal({"EG_p": ("10", "MWh")}, fixed=FIXED | {"EF_RE": ("0.1", "tCO2/MWh")})

    assert error.code == "M7_DEFAULT_NOT_INPUT"


@pytest.mark.parametrize(
    ("facts", "fact"),
    [
        ({"host_country": "ID", "grid": "jamali"}, "connection"),
        ({"host_country": "ID", "connection": "wind", "grid": "jamali"}, "connection"),
        ({"host_country": "ID", "connection": "grid"}, "grid"),
    ],
)
def test_a_missing_or_unknown_fact_needed_for_the_defaults_is_refused(
    facts: dict[str, FactValue], fact: str
) -> None:
    error = refusal({"EG_p": ("10", "MWh")}, facts=facts)

    assert error.code == "M8_BAD_FACT"
    assert error.details["fact"] == fact


def test_a_float_fact_is_refused() -> None:
    # A caller outside the type checker (a sheet, JSON) may hand in a float.
    with_float = cast(dict[str, FactValue], FACTS | {"capacity_mw": 1.5})
    error = refusal({"EG_p": ("10", "MWh")}, facts=with_float)

    assert error.code == "M8_BAD_FACT"
    assert error.details["fact"] == "capacity_mw"


def test_a_refusal_changes_nothing_and_the_next_period_still_computes() -> None:
    prepared = get("ID_AM901", "1.0").prepare(FACTS, FIXED)
    january = MonitoringPeriod(date(2025, 1, 1), date(2025, 1, 31))

    with pytest.raises(InvalidInput):
        prepared.calculate({"EG_p": ("-5", "MWh")}, january)
    record = prepared.calculate({"EG_p": ("10", "MWh")}, january)

    assert record.re == Decimal("6.190000")
