"""The register's rules: each refusal fires with its code; records survive their JSON form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from jcm.domain.aef import register_rules as rules
from jcm.domain.aef.authorising import UnitsToAuthorise, check_units, terms
from jcm.domain.aef.register import Authorisation, AuthorisedEntity, CooperativeApproach
from jcm.domain.aef.register_commands import (
    RegisterApproach,
    RegisterAuthorisation,
    authorisation_of_command,
    command_of,
    parse_years,
)
from jcm.domain.aef.register_json import (
    approach_json,
    approach_of,
    authorisation_json,
    authorisation_of,
    body_text,
    entity_json,
    entity_of,
)
from jcm.domain.errors import JcmError
from jcm.domain.registry.article6 import AuthorisedUse, FirstTransferTrigger

TODAY = date(2026, 4, 1)
APPROACH = rules.build_approach(RegisterApproach("CA0001", "KE", (2021, 2030), (2021, 2030)))
NDC = Authorisation(
    "KE-LoA-1", 1, "KE", "CA0001", date(2025, 1, 10), "NDC", ("Energy generation",), ("Solar",)
)
OIMP = replace(
    NDC,
    purposes="OIMP",
    oimp_authorised="CORSIA",
    first_transfer_definition="Use or Cancellation",
)
ENTITY = AuthorisedEntity("JP-BUYER-1", "CA0001", "KE", date(2025, 1, 10), "Buyer KK", "JPN")


def code_of(action: Callable[[], object]) -> str:
    with pytest.raises(JcmError) as raised:
        action()
    return raised.value.code


def test_an_approach_has_japan_and_its_partner_with_their_alpha_3_ids_and_registry_ids() -> None:
    assert APPROACH.name == "Joint Crediting Mechanism between Japan and Kenya"
    assert [(p.party, p.party_id, p.registry_id) for p in APPROACH.parties] == [
        ("JP", "JPN", "JPN01"),
        ("KE", "KEN", "KEN01"),
    ]
    assert APPROACH.partner == "KE"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"id": "CA001"}, "R1_BAD_APPROACH_ID"),
        ({"id": "ca0001"}, "R1_BAD_APPROACH_ID"),
        ({"partner": "JP"}, "R1_BAD_PARTIES"),
        ({"partner": "ZZ"}, "G1_BAD_COUNTRY"),
        ({"japan_ndc": (2031, 2030)}, "R1_BAD_NDC_PERIOD"),
        ({"partner_ndc": (1999, 2030)}, "R1_BAD_NDC_PERIOD"),
        ({"partner_ndc": (2021, 2101)}, "R1_BAD_NDC_PERIOD"),
        ({"partner_registry_id": "KEN1"}, "R1_BAD_REGISTRY_ID"),
        ({"japan_registry_id": "KEN01"}, "R1_BAD_REGISTRY_ID"),
        ({"name": "x" * 201}, "G1_TOO_LONG"),
    ],
)
def test_an_approach_is_refused_with_its_code(change: dict[str, Any], code: str) -> None:
    cmd = replace(RegisterApproach("CA0001", "KE", (2021, 2030), (2021, 2030)), **change)
    assert code_of(lambda: rules.build_approach(cmd)) == code


def test_an_approach_with_a_third_party_or_a_wrong_party_id_or_no_name_is_refused() -> None:
    japan, kenya = APPROACH.parties
    three = replace(APPROACH, parties=(japan, kenya, replace(kenya, party="ID")))
    assert code_of(lambda: rules.check_approach(three)) == "R1_BAD_PARTIES"
    wrong = replace(APPROACH, parties=(japan, replace(kenya, party_id="KEY")))
    assert code_of(lambda: rules.check_approach(wrong)) == "R1_BAD_PARTY_ID"
    assert code_of(lambda: rules.check_approach(replace(APPROACH, name=" "))) == "R1_BAD_NAME"


def test_a_valid_authorisation_passes_for_ndc_and_for_oimp() -> None:
    assert rules.check_authorisation(NDC, APPROACH, TODAY) == NDC
    assert rules.check_authorisation(OIMP, APPROACH, TODAY) == OIMP
    both = replace(OIMP, purposes="NDC and OIMP")
    assert rules.check_authorisation(both, APPROACH, TODAY) == both
    # NDC and OIMP: the definition describes the OIMP part; units still first-transfer
    # at the first international transfer.
    assert both.trigger is FirstTransferTrigger.INTERNATIONAL_TRANSFER
    assert OIMP.trigger is FirstTransferTrigger.USE


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"id": "LoA/1"}, "R2_BAD_AUTHORISATION_ID"),
        ({"id": ""}, "R2_BAD_AUTHORISATION_ID"),
        ({"party": "ID"}, "R2_NOT_PARTNER"),
        ({"authorised_on": date(2026, 4, 2)}, "R2_BAD_DATE"),
        ({"authorised_on": date(1999, 12, 31)}, "R2_BAD_DATE"),
        ({"purposes": "ndc"}, "R2_BAD_PURPOSES"),
        ({"purposes": "NDC and OIMP"}, "R2_BAD_FIRST_TRANSFER_DEFINITION"),
        ({"first_transfer_definition": "Issuance"}, "R2_BAD_FIRST_TRANSFER_DEFINITION"),
        ({"oimp_authorised": "CORSIA"}, "R2_BAD_OIMP"),
        ({"sectors": ("Energy",)}, "R2_BAD_SECTOR"),
        ({"activity_types": ("CO2 usage",)}, "R2_BAD_ACTIVITY_TYPE"),
        ({"sectors": ()}, "R2_NO_SECTORS"),
        ({"activity_types": ()}, "R2_NO_SECTORS"),
        ({"metric": "ghg"}, "R2_BAD_METRIC"),
        ({"mitigation_type": "Reductions"}, "R2_BAD_MITIGATION_TYPE"),
        ({"quantity": 0}, "R2_BAD_QUANTITY"),
        ({"timeframe": (2030, 2021)}, "R2_BAD_TIMEFRAME"),
        ({"timeframe": (1990, 2021)}, "R2_BAD_TIMEFRAME"),
        ({"authorised_parties": ("JP",)}, "R2_BAD_AUTHORISED_PARTY"),
        ({"terms": "x" * 2001}, "G1_TOO_LONG"),
        ({"gwp": "AR5\x1b"}, "G1_BAD_CHARACTERS"),
    ],
)
def test_an_authorisation_is_refused_with_its_code(change: dict[str, Any], code: str) -> None:
    bad = replace(NDC, **change)
    assert code_of(lambda: rules.check_authorisation(bad, APPROACH, TODAY)) == code


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"first_transfer_definition": None}, "R2_BAD_FIRST_TRANSFER_DEFINITION"),
        ({"first_transfer_definition": "Use"}, "R2_BAD_FIRST_TRANSFER_DEFINITION"),
        ({"oimp_authorised": ""}, "R2_BAD_OIMP"),
    ],
)
def test_oimp_purposes_need_a_definition_from_the_list_and_the_oimp_authorised(
    change: dict[str, Any], code: str
) -> None:
    bad = replace(OIMP, **change)
    assert code_of(lambda: rules.check_authorisation(bad, APPROACH, TODAY)) == code


def test_the_exact_nomenclature_spelling_c02_usage_is_accepted() -> None:
    zero = replace(NDC, activity_types=("C02 usage",))
    assert rules.check_authorisation(zero, APPROACH, TODAY).activity_types == ("C02 usage",)


def test_a_new_version_keeps_party_and_approach_and_is_not_dated_earlier() -> None:
    later = replace(NDC, quantity=10, authorised_on=date(2025, 6, 1))
    assert rules.next_version(later, NDC).version == 2
    moved = replace(later, approach_id="CA0002")
    assert code_of(lambda: rules.next_version(moved, NDC)) == "R2_FIXED_FIELD"
    earlier = replace(later, authorised_on=date(2024, 1, 1))
    assert code_of(lambda: rules.next_version(earlier, NDC)) == "R2_FIXED_FIELD"


def test_a_command_fills_defaults_and_sectors_from_the_projects_families() -> None:
    sectors, activities = rules.sectors_of_families(["solar_pv", "boiler", "solar_pv", "x"])
    assert sectors == ("Energy generation", "Industrial processes")
    assert activities == ("Solar", "Energy Efficiency Industry")
    cmd = RegisterAuthorisation(" KE-LoA-1 ", "CA0001", "NDC", projects=("KE001",))
    made = authorisation_of_command(cmd, "KE", TODAY, sectors, activities)
    assert (made.id, made.authorised_on, made.sectors) == ("KE-LoA-1", TODAY, sectors)
    assert command_of(NDC).sectors == NDC.sectors


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"id": ""}, "R3_BAD_ENTITY_ID"),
        ({"id": "-x"}, "R3_BAD_ENTITY_ID"),
        ({"id": "x" * 65}, "R3_BAD_ENTITY_ID"),
        ({"name": ""}, "R3_BAD_NAME"),
        ({"country": "JP"}, "R3_BAD_COUNTRY"),
        ({"party": "JP"}, "R3_NOT_PARTNER"),
        ({"authorised_on": date(2027, 1, 1)}, "R2_BAD_DATE"),
        ({"conditions": "x" * 2001}, "G1_TOO_LONG"),
    ],
)
def test_an_entity_is_refused_with_its_code(change: dict[str, Any], code: str) -> None:
    bad = replace(ENTITY, **change)
    assert code_of(lambda: rules.check_entity(bad, APPROACH, TODAY)) == code


def test_years_are_read_with_or_without_spaces_and_refused_with_the_code_given() -> None:
    assert parse_years("2021 - 2030", "x", "R2_BAD_TIMEFRAME") == (2021, 2030)
    assert parse_years("2021-2030", "x", "R1_BAD_NDC_PERIOD") == (2021, 2030)
    assert code_of(lambda: parse_years("2021", "x", "R2_BAD_TIMEFRAME")) == "R2_BAD_TIMEFRAME"


def test_records_survive_their_json_form_and_the_stored_text_is_canonical() -> None:
    timed = replace(OIMP, timeframe=(2021, 2030), quantity=5, authorised_entities=("E 1",))
    assert authorisation_of(authorisation_json(timed)) == timed
    assert entity_of(entity_json(ENTITY)) == ENTITY
    approach: CooperativeApproach = approach_of(approach_json(APPROACH))
    assert approach == APPROACH
    text = body_text(authorisation_json(timed))
    assert text.startswith('{"activity_types":["Solar"],"approach_id":"CA0001"')
    assert '","' in text
    assert '", "' not in text
    assert ": " not in text
    with pytest.raises(ValueError, match="timeframe"):
        authorisation_of({**authorisation_json(timed), "timeframe": [2021]})


# -- authorising units under a registered authorisation ------------------------------------


def units(host: str = "KE", vintage: int = 2023, quantity: int = 10, ref: str | None = None) -> Any:
    return UnitsToAuthorise(host, vintage, quantity, "KE-KE-JCM-KE001-2023-1-1-10", ref)


def test_the_registered_authorisation_gives_uses_and_trigger_and_refuses_others() -> None:
    assert terms(NDC, None, None) == (
        frozenset({AuthorisedUse.NDC}),
        FirstTransferTrigger.INTERNATIONAL_TRANSFER,
    )
    assert terms(OIMP, frozenset({AuthorisedUse.OIMP}), FirstTransferTrigger.USE)[1] is (
        FirstTransferTrigger.USE
    )
    oimp = frozenset({AuthorisedUse.OIMP})
    assert code_of(lambda: terms(NDC, oimp, None)) == "R2_USES_DIFFER"
    trigger = FirstTransferTrigger.AUTHORISATION
    assert code_of(lambda: terms(OIMP, None, trigger)) == "R2_USES_DIFFER"


def test_units_must_be_the_parties_own_inside_the_timeframe_and_within_the_quantity() -> None:
    capped = replace(NDC, quantity=25, timeframe=(2021, 2023))
    check_units(capped, [units(), units(quantity=15)], 0)
    assert code_of(lambda: check_units(capped, [units(host="ID")], 0)) == (
        "R2_NOT_AUTHORISING_PARTY"
    )
    assert code_of(lambda: check_units(capped, [units(vintage=2024)], 0)) == (
        "R2_OUTSIDE_TIMEFRAME"
    )
    assert code_of(lambda: check_units(capped, [units(quantity=16)], 10)) == "R2_OVER_QUANTITY"
    # Units authorised again under the same authorisation are not counted twice.
    check_units(capped, [units(quantity=10, ref="KE-LoA-1")], 25)
