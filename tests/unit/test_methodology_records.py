"""Calculation records: determinism, canonical bytes, digests, and the documented rounding."""

from __future__ import annotations

import hashlib
import inspect
import json
from datetime import date
from decimal import ROUND_UP, Decimal, localcontext

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from jcm.domain.methodologies import CalculationRecord, get
from jcm.domain.methodologies import solar_pv as solar_pv_module
from jcm.domain.methodologies.arithmetic import credited_tonnes, q
from jcm.domain.methodologies.model import FactValue
from jcm.domain.methodologies.record import canonical_bytes, module_sha256
from jcm.domain.registry.issuance import MonitoringPeriod

JANUARY = MonitoringPeriod(date(2025, 1, 1), date(2025, 1, 31))
FACTS: dict[str, FactValue] = {
    "host_country": "ID",
    "technology": "solar_pv",
    "connection": "grid",
    "grid": "jamali",
    "pv_modules_iec_certified": True,
}


def pv_record(
    eg: object = "61234", unit: str = "kWh", period: MonitoringPeriod = JANUARY
) -> CalculationRecord:
    return get("ID_AM901", "1.0").calculate(
        FACTS, {"P_PV": ("500", "kW")}, {"EG_p": (eg, unit)}, period
    )


# -- one record per family, for the properties every record must have -------------------------

EXAMPLES = {
    "solar_pv": lambda: pv_record(),
    "day_category": lambda: get("KH_AM002", "1.0").calculate(
        {"connection": "grid", "grid": "national"},
        {"P_PV": ("300", "kW")},
        {"EG_grid_p": ("40", "MWh"), "EG_offgrid_p": ("10", "MWh")},
        JANUARY,
    ),
    "storage": lambda: get("ID_AM017", "1.0").calculate(
        FACTS,
        {"P_PV": ("500", "kW")},
        {"EG_PV_p": ("100", "MWh"), "E_charge_p": ("20", "MWh"), "E_discharge_p": ("18", "MWh")},
    ),
    "chiller": lambda: get("TH_AM005", "3.0").calculate(
        {"connection": "grid", "grid": "national"},
        {
            "COP_PJ": ("6.3", "1"),
            "Q_PJ": ("500", "USRt"),
            "T_cw_out": ("35", "degC"),
            "T_chw_out": ("7", "degC"),
        },
        {"EC_PJ_p": ("120000.5", "kWh")},
        JANUARY,
    ),
    "led": lambda: get("KH_AM001", "1.0").calculate(
        {"connection": "grid", "grid": "national", "lamp_type": "street_light"},
        {"eta_PJ": ("150", "lm/W")},
        {"EC_PJ_p": ("187600", "kWh")},
    ),
    "boiler": lambda: get("VN_AM905", "1.0").calculate(
        {"connection": "grid", "grid": "national", "fuel": "lpg", "boiler_type": "oil_gas_boiler"},
        {"eta_PJ": ("0.95", "1")},
        {"FC_PJ_p": ("12.5", "t"), "EC_aux_p": ("1", "MWh")},
    ),
    "transformer": lambda: get("LA_AM906", "1.0").calculate(
        {"connection": "grid", "grid": "national"},
        {"N_units": ("10", "1"), "S_rated": ("100", "kVA"), "NLL_PJ": ("0.09", "kW")},
        {"t_p": ("700", "h")},
        JANUARY,
    ),
    "waste_heat": lambda: get("PH_AM907", "1.0").calculate(
        {"connection": "grid", "grid": "national"},
        {"P_WHR": ("6", "MW")},
        {"EG_gross_p": ("3000", "MWh"), "EC_aux_p": ("240", "MWh")},
        JANUARY,
    ),
    "hydro": lambda: get("VN_AM908", "1.0").calculate(
        {"connection": "grid", "grid": "national"},
        {"P_hydro": ("14.5", "MW"), "A_res": ("1", "km2")},
        {"EG_p": ("6000", "MWh")},
        JANUARY,
    ),
}


@pytest.mark.parametrize("family", sorted(EXAMPLES))
def test_the_same_inputs_give_a_byte_identical_record_and_digest(family: str) -> None:
    first, second = EXAMPLES[family](), EXAMPLES[family]()

    assert first.canonical() == second.canonical()
    assert first.digest == second.digest
    assert first is not second


@pytest.mark.parametrize("family", sorted(EXAMPLES))
def test_the_fast_canonical_bytes_equal_encoding_the_whole_record(family: str) -> None:
    record = EXAMPLES[family]()

    assert record.canonical() == canonical_bytes(record.body)
    assert record.digest == hashlib.sha256(record.canonical()).hexdigest()


@pytest.mark.parametrize("family", sorted(EXAMPLES))
def test_the_canonical_bytes_are_rfc8785_json(family: str) -> None:
    record = EXAMPLES[family]()

    assert record.canonical() == rfc8785.dumps(json.loads(record.canonical()))


@pytest.mark.parametrize("family", sorted(EXAMPLES))
def test_a_record_lists_inputs_defaults_steps_results_and_code_digests(family: str) -> None:
    body = json.loads(EXAMPLES[family]().canonical())

    assert set(body) == {
        "arithmetic",
        "defaults",
        "facts",
        "fixed",
        "format",
        "illustrative",
        "methodology",
        "monitored",
        "period",
        "results",
        "steps",
    }
    for entry in [*body["fixed"].values(), *body["monitored"].values()]:
        assert set(entry) == {"given_unit", "given_value", "kind", "unit", "value"}
    for default in body["defaults"].values():
        assert default["source"]
        assert default["confirmation"] in {"C", "C-sec", "I"}
        assert default["table"]
        assert default["table_version"]
    steps = {step["name"]: step["value"] for step in body["steps"]}
    assert steps["RE_p"] == body["results"]["RE_p"]
    assert steps["PE_p"] == body["results"]["PE_p"]
    assert body["steps"][-1]["name"] == "PE_p"
    assert len(body["methodology"]["module_sha256"]) == 64
    assert len(body["methodology"]["engine_sha256"]) == 64
    assert body["arithmetic"]["intermediates"] == "quantize 0.000001 ROUND_HALF_EVEN"


def test_one_kwh_more_changes_the_record_and_its_digest() -> None:
    base, more = pv_record("61234"), pv_record("61235")

    assert base.canonical() != more.canonical()
    assert base.digest != more.digest


def test_another_period_changes_the_digest_even_with_the_same_values() -> None:
    february = MonitoringPeriod(date(2025, 2, 1), date(2025, 2, 28))

    assert pv_record(period=february).digest != pv_record().digest


def test_numerically_equal_inputs_in_the_same_unit_give_the_same_record() -> None:
    assert pv_record("61234").digest == pv_record(Decimal("61234.000")).digest
    assert pv_record("61234").digest == pv_record(61234).digest


def test_the_unit_an_input_was_given_in_is_part_of_the_record() -> None:
    in_kwh, in_mwh = pv_record("61234", "kWh"), pv_record("61.234", "MWh")

    assert in_kwh.re == in_mwh.re
    assert in_kwh.body["monitored"]["EG_p"]["value"] == in_mwh.body["monitored"]["EG_p"]["value"]
    assert in_kwh.digest != in_mwh.digest


def test_the_caller_decimal_context_does_not_change_the_result() -> None:
    expected = pv_record().canonical()

    with localcontext() as hostile:
        hostile.prec = 3
        hostile.rounding = ROUND_UP
        assert pv_record().canonical() == expected


def test_the_record_carries_the_sha256_of_the_family_module_source() -> None:
    source = inspect.getsource(solar_pv_module).encode("utf-8")
    expected = hashlib.sha256(b"jcm.domain.methodologies.solar_pv\n" + source).hexdigest()

    assert pv_record().body["methodology"]["module_sha256"] == expected
    assert module_sha256("jcm.domain.methodologies.solar_pv") == expected
    assert module_sha256("jcm.domain.methodologies.chiller") != expected


def test_the_record_names_the_methodology_version_and_period() -> None:
    body = pv_record().body

    assert body["methodology"]["id"] == "ID_AM901"
    assert body["methodology"]["version"] == "1.0"
    assert body["methodology"]["id_status"] == "illustrative"
    assert body["period"] == {"start": "2025-01-01", "end": "2025-01-31", "hours": "744"}


# -- rounding ----------------------------------------------------------------------------------


def test_the_credited_er_is_floored_not_rounded() -> None:
    # 61.234 MWh × 0.619 = 37.903846 → 37, although 37.9 would round to 38
    assert pv_record().er == 37


@pytest.mark.parametrize(
    ("unrounded", "credited"),
    [
        ("37.903846", 37),
        ("5.999999", 5),
        ("6.000000", 6),
        ("0.999999", 0),
        ("0.000000", 0),
        ("-0.000001", 0),
        ("-6.000000", 0),
    ],
)
def test_credited_tonnes_floor_then_clamp_at_zero(unrounded: str, credited: int) -> None:
    assert credited_tonnes(Decimal(unrounded)) == credited


@pytest.mark.parametrize(
    ("generated", "expected_re"),
    [
        ("0.000001", "0.000000"),  # 0.0000005: a tie, to the even 0.000000
        ("0.000003", "0.000002"),  # 0.0000015: a tie, to the even 0.000002
        ("0.000005", "0.000002"),  # 0.0000025: a tie, to the even 0.000002
        ("0.000007", "0.000004"),  # 0.0000035: a tie, to the even 0.000004
    ],
)
def test_intermediate_ties_at_the_seventh_decimal_go_to_the_even_neighbour(
    generated: str, expected_re: str
) -> None:
    # LK national grid EF = 0.50 (placeholder): RE_p = EG_p × 0.5 ends in 5 at the 7th place.
    record = get("LK_AM901", "1.0").calculate(
        {"connection": "grid", "grid": "national"},
        {"P_PV": ("1", "kW")},
        {"EG_p": (generated, "MWh")},
    )

    assert record.body["results"]["RE_p"] == expected_re


def test_a_quantized_zero_is_never_negative() -> None:
    assert str(q(Decimal("-0.0000001"))) == "0.000000"


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False, allow_infinity=False))
def test_any_generation_gives_a_canonical_floor_of_its_six_place_re(generated: Decimal) -> None:
    record = get("ID_AM901", "1.0").calculate(
        FACTS, {"P_PV": ("20", "MW")}, {"EG_p": (generated, "MWh")}, JANUARY
    )

    exact = generated * Decimal("0.619")  # at most 3 + 3 places: fits 6 places exactly
    assert record.re == exact
    assert record.er == int(exact)
    assert record.er <= exact < record.er + 1
    assert record.canonical() == canonical_bytes(record.body)
