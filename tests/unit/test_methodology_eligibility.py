"""Eligibility checklists: every criterion is listed with pass/fail and the reason."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from jcm.domain.methodologies import get
from jcm.domain.methodologies.model import FactValue

CHILLER: dict[str, FactValue] = {
    "host_country": "ID",
    "equipment": "centrifugal_chiller",
    "connection": "grid",
    "cop_rated": Decimal("6.5"),
    "capacity_usrt": Decimal(500),
    "maintenance_checks_per_year": 4,
    "refrigerant_odp": 0,
    "refrigerant_recovery_plan": True,
}


def test_a_compliant_chiller_passes_every_criterion() -> None:
    result = get("ID_AM002", "1.0").check_eligibility(CHILLER)

    assert result.eligible
    assert result.failures == ()
    assert [r.criterion for r in result.results] == ["C0", "C1", "C2", "C3", "C4", "C5", "C6", "C7"]
    assert all(r.reason for r in result.results)


def test_a_cop_of_5_9_fails_the_cop_criterion_and_says_why() -> None:
    result = get("ID_AM002", "1.0").check_eligibility(CHILLER | {"cop_rated": Decimal("5.9")})

    assert not result.eligible
    assert result.failed_ids == ("C3", "C7")
    c3 = result.failures[0]
    assert c3.text == "The COP of the project chiller at the rated conditions is higher than 6.0."
    assert c3.reason == "cop_rated = 5.9, required within (6, +inf)"
    assert c3.confirmation.value == "C-sec"
    assert "is not above COP_RE = 6 of band 500-<1000 USRt" in result.failures[1].reason


def test_several_failures_are_all_listed_and_passing_criteria_stay_listed() -> None:
    result = get("ID_AM002", "1.0").check_eligibility(
        CHILLER | {"maintenance_checks_per_year": 2, "refrigerant_odp": Decimal("0.05")}
    )

    assert result.failed_ids == ("C4", "C5")
    assert len(result.results) == 8
    assert "maintenance_checks_per_year = 2, required within [4, +inf)" in str(result)
    assert "FAIL C5" in str(result)
    assert "pass C3" in str(result)


def test_an_undeclared_fact_fails_its_criterion_without_raising() -> None:
    facts = dict(CHILLER)
    del facts["refrigerant_recovery_plan"]

    result = get("ID_AM002", "1.0").check_eligibility(facts)

    assert result.failed_ids == ("C6",)
    assert result.failures[0].reason == "fact 'refrigerant_recovery_plan' is not declared"


def test_a_float_where_a_decimal_is_required_fails_the_criterion() -> None:
    # A caller outside the type checker (a sheet, JSON) may hand in a float.
    with_float = cast(dict[str, FactValue], CHILLER | {"cop_rated": 6.5})
    result = get("ID_AM002", "1.0").check_eligibility(with_float)

    assert "C3" in result.failed_ids
    assert "is not a Decimal or int" in result.failures[0].reason


def test_a_project_in_another_country_fails_the_host_country_criterion() -> None:
    result = get("ID_AM002", "1.0").check_eligibility(CHILLER | {"host_country": "VN"})

    assert result.failed_ids == ("C0",)
    assert result.failures[0].reason == "host_country = 'VN', required 'ID'"


def test_th_am005_also_requires_a_non_inverter_chiller() -> None:
    facts = CHILLER | {"host_country": "TH", "inverter": True}

    result = get("TH_AM005", "3.0").check_eligibility(facts)

    assert result.failed_ids == ("C1a",)
    assert get("TH_AM005", "3.0").check_eligibility(facts | {"inverter": False}).eligible


def test_mongolian_heat_only_boilers_must_be_between_0_10_and_3_15_mw() -> None:
    facts: dict[str, FactValue] = {
        "host_country": "MN",
        "boiler_type": "coal_hob",
        "fuel": "other_bituminous_coal",
        "capacity_mw": Decimal("3.5"),
        "installation": "replacement",
        "dust_collector": True,
        "om_manual": True,
        "efficiency_rated": Decimal("0.83"),
    }
    hob = get("MN_AM002", "1.0")

    too_big = hob.check_eligibility(facts)
    assert too_big.failed_ids == ("C2",)
    assert too_big.failures[0].reason == "capacity_mw = 3.5, required within [0.1, 3.15] MW"
    assert hob.check_eligibility(facts | {"capacity_mw": Decimal("3.15")}).eligible
    assert hob.check_eligibility(facts | {"capacity_mw": Decimal("0.1")}).eligible
    no_collector = hob.check_eligibility(facts | {"capacity_mw": 1, "dust_collector": False})
    assert no_collector.failed_ids == ("C4",)


def test_the_first_thai_pv_version_covers_grid_connection_only() -> None:
    facts: dict[str, FactValue] = {
        "host_country": "TH",
        "technology": "solar_pv",
        "connection": "captive_only",
        "pv_modules_iec_certified": True,
    }

    v1 = get("TH_AM001", "1.0").check_eligibility(facts)
    v2 = get("TH_AM001", "2.0").check_eligibility(facts)

    assert v1.failed_ids == ("C2",)
    assert "required one of 'grid'" in v1.failures[0].reason
    assert v2.eligible


def test_led_downlight_methodology_refuses_tubes_and_low_colour_rendering() -> None:
    facts: dict[str, FactValue] = {
        "host_country": "ID",
        "lamp_type": "tube",
        "connection": "grid",
        "efficacy_lm_per_w": Decimal(130),
        "colour_rendering_ra": 80,
    }

    result = get("ID_AM020", "1.0").check_eligibility(facts)

    assert result.failed_ids == ("C1", "C4")
    assert (
        get("ID_AM020", "1.0")
        .check_eligibility(facts | {"lamp_type": "downlight", "colour_rendering_ra": 92})
        .eligible
    )


def test_a_transformer_with_more_loss_than_the_reference_fails() -> None:
    facts: dict[str, FactValue] = {
        "host_country": "VN",
        "core": "amorphous",
        "factory_test_certificate": True,
        "connection": "grid",
        "rated_kva": 250,
        "no_load_loss_kw": Decimal("0.60"),
    }

    result = get("VN_AM002", "1.0").check_eligibility(facts)

    assert result.failed_ids == ("C3",)
    assert result.failures[0].reason == (
        "no_load_loss_kw = 0.6 is not below NLL_RE = 0.58 kW for 250 kVA"
    )
    assert (
        get("VN_AM002", "1.0")
        .check_eligibility(facts | {"no_load_loss_kw": Decimal("0.16")})
        .eligible
    )


def test_every_methodology_has_a_checklist_with_the_host_country_first() -> None:
    from jcm.domain.methodologies import all as all_methodologies

    for methodology in all_methodologies():
        ids = [criterion.id for criterion in methodology.criteria]
        assert ids[0] == "C0", methodology.key
        assert len(ids) == len(set(ids)) >= 3, methodology.key
        assert methodology.check_eligibility({}).failed_ids == tuple(ids), methodology.key
