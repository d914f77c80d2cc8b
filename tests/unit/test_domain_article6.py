"""Article 6.2 attributes: authorisation, first transfer and corresponding adjustment (T*)."""

from __future__ import annotations

import pytest

from jcm.domain.errors import Article6RuleViolation, InvalidInput, JcmError
from jcm.domain.registry.article6 import (
    NOT_AUTHORISED,
    Article6,
    AuthorisedUse,
    CaStatus,
    FirstTransferTrigger,
    format_uses,
    parse_uses,
)

NDC = frozenset({AuthorisedUse.NDC})
OIMP = frozenset({AuthorisedUse.OIMP})
BOTH = frozenset({AuthorisedUse.NDC, AuthorisedUse.OIMP})
SERIALS = "JP-KE-JCM-KE001-2024-1-1-500"
Trigger = FirstTransferTrigger
# Units authorised before they exist, with first transfer at issuance (built directly: the
# authorise command acts on issued units).
PRE_AUTHORISED_AT_ISSUANCE = Article6(OIMP, "KE-AUTH-2025-02", Trigger.ISSUANCE)


def authorised(
    uses: frozenset[AuthorisedUse] = NDC,
    trigger: FirstTransferTrigger = Trigger.INTERNATIONAL_TRANSFER,
    reference: str = "KE-AUTH-2025-01",
) -> Article6:
    return NOT_AUTHORISED.authorise(uses, reference, trigger, serials=SERIALS)


def first_transferred() -> Article6:
    return authorised().on_external_transfer(leaving_origin=True)


def adjusted() -> Article6:
    return first_transferred().apply_corresponding_adjustment(serials=SERIALS)


def test_units_start_unauthorised_without_first_transfer_or_adjustment() -> None:
    assert Article6() == NOT_AUTHORISED
    assert not NOT_AUTHORISED.authorised
    assert NOT_AUTHORISED.authorised_uses == frozenset()
    assert NOT_AUTHORISED.first_transfer_trigger is None
    assert not NOT_AUTHORISED.first_transferred
    assert NOT_AUTHORISED.ca_status is CaStatus.NOT_REQUIRED


# -- authorisation --------------------------------------------------------------------------


def test_authorising_for_ndc_records_uses_reference_and_trigger_without_first_transfer() -> None:
    a6 = authorised(NDC, Trigger.INTERNATIONAL_TRANSFER, "KE-AUTH-9")

    assert a6.authorised
    assert a6.authorised_uses == NDC
    assert a6.authorisation_ref == "KE-AUTH-9"
    assert a6.first_transfer_trigger is Trigger.INTERNATIONAL_TRANSFER
    assert not a6.first_transferred
    assert a6.ca_status is CaStatus.NOT_REQUIRED


def test_authorising_returns_a_new_value_and_leaves_the_original_unchanged() -> None:
    original = Article6()

    original.authorise(NDC, "REF", Trigger.INTERNATIONAL_TRANSFER, serials=SERIALS)

    assert original == Article6()


@pytest.mark.parametrize("uses", [NDC, BOTH])
@pytest.mark.parametrize("trigger", [Trigger.AUTHORISATION, Trigger.ISSUANCE, Trigger.USE])
def test_units_authorised_for_an_ndc_first_transfer_only_at_international_transfer_t6(
    uses: frozenset[AuthorisedUse], trigger: FirstTransferTrigger
) -> None:
    with pytest.raises(InvalidInput) as refused:
        authorised(uses, trigger)

    assert refused.value.code == "T6_BAD_TRIGGER"
    assert repr(trigger.value) in refused.value.message
    assert refused.value.details == {"trigger": trigger.value}


@pytest.mark.parametrize(
    "trigger", [Trigger.INTERNATIONAL_TRANSFER, Trigger.AUTHORISATION, Trigger.USE]
)
def test_oimp_only_units_may_use_any_first_transfer_trigger(trigger: FirstTransferTrigger) -> None:
    a6 = authorised(OIMP, trigger)

    assert a6.authorised_uses == OIMP
    assert a6.first_transfer_trigger is trigger


def test_the_authorisation_trigger_first_transfers_the_units_at_once() -> None:
    a6 = authorised(OIMP, Trigger.AUTHORISATION)

    assert a6.first_transferred
    assert a6.ca_status is CaStatus.PENDING


@pytest.mark.parametrize("trigger", [Trigger.INTERNATIONAL_TRANSFER, Trigger.USE])
def test_transfer_and_use_triggers_do_not_first_transfer_at_authorisation(
    trigger: FirstTransferTrigger,
) -> None:
    a6 = authorised(OIMP, trigger)

    assert not a6.first_transferred
    assert a6.ca_status is CaStatus.NOT_REQUIRED


def test_units_not_yet_first_transferred_can_be_re_authorised() -> None:
    a6 = authorised(NDC, Trigger.INTERNATIONAL_TRANSFER, "REF-1").authorise(
        OIMP, "REF-2", Trigger.USE, serials=SERIALS
    )

    assert a6.authorised_uses == OIMP
    assert a6.authorisation_ref == "REF-2"
    assert a6.first_transfer_trigger is Trigger.USE
    assert not a6.first_transferred


@pytest.mark.parametrize(
    "a6",
    [
        pytest.param(first_transferred(), id="first-transferred"),
        pytest.param(adjusted(), id="adjusted"),
        pytest.param(authorised(OIMP, Trigger.AUTHORISATION, "KE-AUTH-2025-01"), id="at-once"),
    ],
)
def test_first_transferred_units_cannot_be_re_authorised_t4(a6: Article6) -> None:
    with pytest.raises(Article6RuleViolation) as refused:
        a6.authorise(OIMP, "KE-AUTH-2", Trigger.USE, serials=SERIALS)

    assert refused.value.code == "T4_ALREADY_FIRST_TRANSFERRED"
    assert SERIALS in refused.value.message
    assert "KE-AUTH-2025-01" in refused.value.message
    assert refused.value.details == {"serials": SERIALS, "authorisation": "KE-AUTH-2025-01"}


def test_issuance_trigger_on_issued_units_first_transfers_at_once_or_is_refused() -> None:
    # Article 6 values live on unit blocks, and blocks exist only once issued: issuance
    # creates them unauthorised and calls on_issuance() straight away. Units authorised
    # afterwards with "first transfer at issuance" must not end up authorised but never
    # first-transferred (no corresponding adjustment would ever fall due for them).
    issued = Article6().on_issuance()

    try:
        a6 = issued.authorise(OIMP, "KE-AUTH-3", Trigger.ISSUANCE, serials=SERIALS)
    except JcmError:
        return  # refusing the issuance trigger for issued units is an acceptable rule too
    assert a6.first_transferred, (
        "issued units authorised with trigger 'issuance' never first-transfer"
    )
    assert a6.ca_status is CaStatus.PENDING


# -- first-transfer triggers ----------------------------------------------------------------


def test_issuance_first_transfers_units_authorised_beforehand_with_the_issuance_trigger() -> None:
    a6 = PRE_AUTHORISED_AT_ISSUANCE.on_issuance()

    assert a6.first_transferred
    assert a6.ca_status is CaStatus.PENDING


@pytest.mark.parametrize(
    "a6",
    [
        pytest.param(Article6(), id="unauthorised"),
        pytest.param(authorised(NDC, Trigger.INTERNATIONAL_TRANSFER), id="international"),
        pytest.param(authorised(OIMP, Trigger.USE), id="use"),
    ],
)
def test_issuance_leaves_units_with_another_trigger_unchanged(a6: Article6) -> None:
    assert a6.on_issuance() == a6


def test_leaving_the_host_party_registry_first_transfers_authorised_units() -> None:
    a6 = authorised(NDC, Trigger.INTERNATIONAL_TRANSFER).on_external_transfer(leaving_origin=True)

    assert a6.first_transferred
    assert a6.ca_status is CaStatus.PENDING
    assert a6.authorisation_ref == "KE-AUTH-2025-01"


def test_an_external_transfer_into_the_host_party_registry_is_not_a_first_transfer() -> None:
    a6 = authorised(NDC, Trigger.INTERNATIONAL_TRANSFER)

    assert a6.on_external_transfer(leaving_origin=False) == a6


def test_unauthorised_units_are_never_first_transferred_by_an_international_transfer() -> None:
    assert Article6().on_external_transfer(leaving_origin=True) == Article6()


@pytest.mark.parametrize("trigger", [Trigger.ISSUANCE, Trigger.USE])
def test_an_international_transfer_does_not_first_transfer_units_with_another_trigger(
    trigger: FirstTransferTrigger,
) -> None:
    a6 = PRE_AUTHORISED_AT_ISSUANCE if trigger is Trigger.ISSUANCE else authorised(OIMP, trigger)

    assert a6.on_external_transfer(leaving_origin=True) == a6


def test_a_second_international_transfer_does_not_reopen_an_applied_adjustment() -> None:
    a6 = adjusted()

    after = a6.on_external_transfer(leaving_origin=True)

    assert after == a6
    assert after.ca_status is CaStatus.APPLIED


def test_use_first_transfers_units_whose_trigger_is_use() -> None:
    a6 = authorised(OIMP, Trigger.USE).on_use()

    assert a6.first_transferred
    assert a6.ca_status is CaStatus.PENDING


@pytest.mark.parametrize(
    "a6",
    [
        pytest.param(Article6(), id="unauthorised"),
        pytest.param(Article6(first_transfer_trigger=Trigger.USE), id="trigger-without-uses"),
        pytest.param(authorised(NDC, Trigger.INTERNATIONAL_TRANSFER), id="international"),
        pytest.param(PRE_AUTHORISED_AT_ISSUANCE, id="issuance"),
    ],
)
def test_use_leaves_units_that_are_not_first_transferred_by_use_unchanged(a6: Article6) -> None:
    assert a6.on_use() == a6


def test_use_of_units_already_first_transferred_does_not_reopen_the_adjustment() -> None:
    a6 = authorised(OIMP, Trigger.USE).on_use()
    a6 = a6.apply_corresponding_adjustment(serials=SERIALS)

    assert a6.on_use().ca_status is CaStatus.APPLIED


# -- corresponding adjustment ---------------------------------------------------------------


def test_a_pending_corresponding_adjustment_can_be_applied() -> None:
    a6 = first_transferred()

    after = a6.apply_corresponding_adjustment(serials=SERIALS)

    assert after.ca_status is CaStatus.APPLIED
    assert after.first_transferred
    assert after.authorised_uses == a6.authorised_uses
    assert a6.ca_status is CaStatus.PENDING


@pytest.mark.parametrize(
    ("a6", "status"),
    [
        pytest.param(Article6(), "not_required", id="unauthorised"),
        pytest.param(authorised(), "not_required", id="not-first-transferred"),
        pytest.param(adjusted(), "applied", id="already-applied"),
    ],
)
def test_an_adjustment_is_recorded_only_when_pending_t3(a6: Article6, status: str) -> None:
    with pytest.raises(Article6RuleViolation) as refused:
        a6.apply_corresponding_adjustment(serials=SERIALS)

    assert refused.value.code == "T3_NO_ADJUSTMENT_DUE"
    assert SERIALS in refused.value.message
    assert status in refused.value.message
    assert refused.value.details == {"serials": SERIALS, "ca_status": status}


# -- parsing uses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ndc", NDC),
        ("OIMP", OIMP),
        ("ndc,oimp", BOTH),
        ("oimp+NDC", BOTH),
        (" ndc , oimp , ", BOTH),
        ("ndc,ndc", NDC),
    ],
)
def test_authorised_uses_are_parsed_from_comma_or_plus_separated_words(
    text: str, expected: frozenset[AuthorisedUse]
) -> None:
    assert parse_uses(text) == expected


@pytest.mark.parametrize("text", ["", "  ", ",", "+,+"])
def test_naming_no_use_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_uses(text)

    assert refused.value.code == "G1_BAD_USE"


def test_an_unknown_use_is_refused_naming_it() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_uses("ndc,Voluntary")

    assert refused.value.code == "G1_BAD_USE"
    assert "'voluntary'" in refused.value.message
    assert refused.value.details == {"use": "voluntary"}


@pytest.mark.parametrize("uses", [NDC, OIMP, BOTH])
def test_formatted_uses_are_sorted_and_parse_back(uses: frozenset[AuthorisedUse]) -> None:
    text = format_uses(uses)

    assert text == ",".join(sorted(u.value for u in uses))
    assert parse_uses(text) == uses


def test_no_uses_format_as_an_empty_string() -> None:
    assert format_uses(frozenset()) == ""


def test_an_unknown_first_transfer_definition_is_refused_naming_the_choices() -> None:
    from jcm.domain.errors import InvalidInput
    from jcm.domain.registry.article6 import FirstTransferTrigger, parse_trigger

    assert parse_trigger("USE") is FirstTransferTrigger.USE
    with pytest.raises(InvalidInput) as caught:
        parse_trigger("whenever")
    assert caught.value.code == "G1_BAD_TRIGGER"
    assert "international_transfer" in caught.value.message
