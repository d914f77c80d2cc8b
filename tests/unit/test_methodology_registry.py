"""The registry of methodology versions, and how revisions show up in records."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from jcm.domain.errors import InvalidInput, NotFound
from jcm.domain.methodologies import (
    METHODOLOGIES,
    REGISTRY,
    IdStatus,
    ParameterKind,
    Registry,
    get,
    latest,
)
from jcm.domain.methodologies import all as all_methodologies

# Ids the research confirms for the technology (jcm_rules §3.2–§3.4, and
# jcm_methodologies_confirmed.md §1-§2 for the last seven).
CONFIRMED_IDS = {
    "KE_AM002",
    "KH_AM002",
    "MV_AM001",
    "TH_AM001",
    "CL_AM001",
    "CR_AM001",
    "ID_AM017",
    "TH_AM005",
    "CR_AM002",
    "ID_AM004",
    "ID_AM020",
    "ID_AM002",
    "MN_AM003",
    "VN_AM007",
    "TH_AM016",
    "ID_AM001",
    "MM_AM005",
    "PH_AM001",
}


def test_a_revision_is_a_new_version_of_the_same_id() -> None:
    v1, v2 = get("TH_AM001", "1.0"), get("TH_AM001", "2.0")

    assert v1 is not v2
    assert (v1.id, v1.version) == ("TH_AM001", "1.0")
    assert (v2.id, v2.version) == ("TH_AM001", "2.0")
    assert REGISTRY.versions("TH_AM001") == ("1.0", "2.0")
    assert v1.connections == ("grid",)
    assert "captive_only" in v2.connections


def test_latest_is_the_highest_version() -> None:
    assert latest("TH_AM001").version == "2.0"
    assert latest("TH_AM005").version == "3.0"


@pytest.mark.parametrize("spelling", ["2.0", "v2.0", "Ver2.0", " ver 2.0 ", "ver02.0", "02.0"])
def test_a_version_may_be_written_as_the_jcm_documents_write_it(spelling: str) -> None:
    assert get("th_am001", spelling) is get("TH_AM001", "2.0")


def test_an_unknown_version_is_not_found_and_the_known_ones_are_named() -> None:
    with pytest.raises(NotFound) as missing:
        get("TH_AM001", "3.0")

    assert missing.value.code == "M0_UNKNOWN_METHODOLOGY"
    assert missing.value.details["known_versions"] == ["1.0", "2.0"]
    assert "its versions are: 1.0, 2.0" in missing.value.message


def test_an_unknown_methodology_is_not_found() -> None:
    with pytest.raises(NotFound) as missing:
        latest("XX_AM001")

    assert missing.value.code == "M0_UNKNOWN_METHODOLOGY"
    with pytest.raises(NotFound):
        get("XX_AM001", "1.0")


def test_the_same_inputs_under_two_versions_give_records_naming_each_version() -> None:
    facts = {"connection": "grid", "grid": "national"}
    args = (facts, {"P_PV": ("1", "MW")}, {"EG_p": ("100", "MWh")})

    r1 = get("TH_AM001", "1.0").calculate(*args)
    r2 = get("TH_AM001", "2.0").calculate(*args)

    assert r1.er == r2.er == 40  # 100 MWh × 0.40 (placeholder TH grid EF)
    assert (r1.version, r2.version) == ("1.0", "2.0")
    assert r1.body["methodology"]["version"] == "1.0"
    assert r1.digest != r2.digest


def test_the_older_version_refuses_a_case_only_the_revision_covers() -> None:
    facts = {"connection": "captive_only", "grid": "national"}
    args = (facts, {"P_PV": ("1", "MW")}, {"EG_p": ("100", "MWh")})

    assert get("TH_AM001", "2.0").calculate(*args).re == Decimal("53.300000")  # × 0.533
    with pytest.raises(InvalidInput) as refused:
        get("TH_AM001", "1.0").calculate(*args)
    assert refused.value.code == "M8_BAD_FACT"


def test_all_lists_every_version_sorted_by_id_then_version() -> None:
    listed = all_methodologies()
    keys = [(m.id, tuple(int(p) for p in m.version.split("."))) for m in listed]

    assert keys == sorted(keys)
    assert len(listed) == len(METHODOLOGIES) == len({(m.id, m.version) for m in listed})
    assert {m.family.key for m in listed} == {
        "solar_pv",
        "solar_pv_day_category",
        "solar_pv_storage",
        "chiller",
        "air_conditioner",
        "led_lighting",
        "boiler",
        "transformer",
        "waste_heat_power",
        "small_hydro",
        "solar_pv_consumed_sold",
        "small_hydro_run_of_river",
    }


def test_ids_follow_the_jcm_pattern_and_illustrative_ones_are_9xx() -> None:
    for methodology in all_methodologies():
        assert re.fullmatch(r"[A-Z]{2}_AM[0-9]{3}", methodology.id)
        assert methodology.id[:2] == methodology.host_country
        illustrative = methodology.id_status is IdStatus.ILLUSTRATIVE
        assert illustrative == (methodology.id[5] == "9"), methodology.key
        assert (methodology.id_status is IdStatus.CONFIRMED) == (methodology.id in CONFIRMED_IDS), (
            methodology.key
        )


def test_a_methodology_describes_itself() -> None:
    description = get("ID_AM002", "2.0").describe()

    assert description["id"] == "ID_AM002"
    assert description["id_status"] == "C"
    assert description["illustrative"] is True  # the reference COPs are placeholders
    assert [i["item"] for i in description["illustrative_items"]] == ["COP_RE"]
    assert description["sectoral_scope"].startswith("3 Energy demand")
    kinds = {p["name"]: p["kind"] for p in description["parameters"]}
    assert kinds["EC_PJ_p"] == "monitored"
    assert kinds["COP_PJ"] == "fixed_ex_ante"
    assert kinds["COP_RE"] == "default"
    assert {e["id"]: e["confirmation"] for e in description["equations"]} == {
        "COP_PJ_tc": "I",
        "RE": "C",
        "PE": "C",
        "ER": "C",
    }
    assert description["tables"]["COP_RE"] == {
        "id": "JCM_COP_RE_CENTRIFUGAL",
        "version": "1.0",
        "unit": "1",
    }


def test_every_methodology_defines_re_pe_and_er_equations_and_units() -> None:
    for methodology in all_methodologies():
        ids = {equation.id for equation in methodology.equations}
        assert {"RE", "PE", "ER"} <= ids, methodology.key
        kinds = {parameter.kind for parameter in methodology.parameters}
        assert ParameterKind.MONITORED in kinds, methodology.key
        assert ParameterKind.DEFAULT in kinds, methodology.key


def test_a_registry_refuses_the_same_version_twice() -> None:
    registry = Registry([get("TH_AM001", "1.0")])

    with pytest.raises(ValueError, match="registered twice"):
        registry.register(get("TH_AM001", "1.0"))


def test_find_returns_the_latest_version_of_a_family_in_a_country() -> None:
    found = REGISTRY.find("TH", {"solar_pv"})

    assert [(m.id, m.version) for m in found] == [("TH_AM001", "2.0")]
    assert REGISTRY.find("TH", {"small_hydro"}) == ()
