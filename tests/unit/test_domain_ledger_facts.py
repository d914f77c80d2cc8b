"""Article 6 ledger facts as pure rules: the host authorising units held in Japan's registry
(first transferred at once) and the NDC year of a use (T6, T8)."""

from __future__ import annotations

import json

import pytest

from jcm.domain.errors import InvalidInput
from jcm.domain.registry.article6 import (
    NOT_AUTHORISED,
    Article6,
    AuthorisedUse,
    CaStatus,
    FirstTransferTrigger,
)
from jcm.domain.registry.batch_file import parse_batch
from jcm.domain.registry.ndc_year import EARLIEST_NDC_YEAR, ndc_year_of
from jcm.domain.registry.transactions import CancellationPurpose, TransactionKind

NDC = frozenset({AuthorisedUse.NDC})
OIMP = frozenset({AuthorisedUse.OIMP})
BOTH = frozenset({AuthorisedUse.NDC, AuthorisedUse.OIMP})
SERIALS = "JP-KE-JCM-KE001-2024-1-1-500"
Trigger = FirstTransferTrigger


def held_abroad(uses: frozenset[AuthorisedUse], trigger: FirstTransferTrigger) -> Article6:
    return NOT_AUTHORISED.authorise(uses, "KE-LoA-1", trigger, serials=SERIALS, held_abroad=True)


@pytest.mark.parametrize(
    ("uses", "trigger"),
    [
        (NDC, Trigger.INTERNATIONAL_TRANSFER),
        (BOTH, Trigger.INTERNATIONAL_TRANSFER),
        (OIMP, Trigger.INTERNATIONAL_TRANSFER),
        (OIMP, Trigger.AUTHORISATION),
        (OIMP, Trigger.ISSUANCE),
    ],
)
def test_units_held_abroad_are_first_transferred_at_their_authorisation_whatever_the_trigger(
    uses: frozenset[AuthorisedUse], trigger: FirstTransferTrigger
) -> None:
    a6 = held_abroad(uses, trigger)

    assert a6.authorised_uses == uses
    assert a6.first_transfer_trigger is trigger
    assert a6.first_transferred
    assert a6.ca_status is CaStatus.PENDING


def test_units_held_at_home_keep_their_first_transfer_for_the_international_transfer() -> None:
    a6 = NOT_AUTHORISED.authorise(NDC, "KE-LoA-1", Trigger.INTERNATIONAL_TRANSFER, serials=SERIALS)

    assert not a6.first_transferred
    assert a6.ca_status is CaStatus.NOT_REQUIRED


def test_an_oimp_authorisation_first_transferring_at_use_is_refused_for_units_held_abroad_t6() -> (
    None
):
    with pytest.raises(InvalidInput) as refused:
        held_abroad(OIMP, Trigger.USE)

    assert refused.value.code == "T6_BAD_TRIGGER"
    assert "held outside" in refused.value.message
    assert refused.value.details == {"trigger": "use", "serials": SERIALS}


def test_units_first_transferred_abroad_are_not_first_transferred_again() -> None:
    a6 = held_abroad(NDC, Trigger.INTERNATIONAL_TRANSFER)

    assert a6.on_external_transfer(leaving_origin=True) == a6
    applied = a6.apply_corresponding_adjustment(serials=SERIALS)
    assert applied.on_external_transfer(leaving_origin=True).ca_status is CaStatus.APPLIED


# -- the NDC year of a use ------------------------------------------------------------------

CANCEL = TransactionKind.CANCELLATION


def test_a_use_towards_an_ndc_counts_for_the_year_of_the_action_by_default() -> None:
    assert ndc_year_of(CANCEL, CancellationPurpose.NDC, None, 2026) == 2026


@pytest.mark.parametrize("year", [EARLIEST_NDC_YEAR, 2025, 2026])
def test_a_use_towards_an_ndc_may_count_for_an_earlier_year_or_its_own(year: int) -> None:
    assert ndc_year_of(CANCEL, CancellationPurpose.NDC, year, 2026) == year


@pytest.mark.parametrize("year", [2027, EARLIEST_NDC_YEAR - 1, 0, -5])
def test_an_ndc_year_after_the_action_or_before_2013_is_refused_t8(year: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        ndc_year_of(CANCEL, CancellationPurpose.NDC, year, 2026)

    assert refused.value.code == "T8_BAD_NDC_YEAR"
    assert refused.value.details == {
        "ndc_year": year,
        "action_year": 2026,
        "earliest": EARLIEST_NDC_YEAR,
    }


@pytest.mark.parametrize("purpose", [CancellationPurpose.OIMP, CancellationPurpose.VOLUNTARY])
def test_other_cancellations_record_no_ndc_year_and_refuse_one(
    purpose: CancellationPurpose,
) -> None:
    assert ndc_year_of(CANCEL, purpose, None, 2026) is None
    with pytest.raises(InvalidInput) as refused:
        ndc_year_of(CANCEL, purpose, 2025, 2026)
    assert refused.value.code == "T8_NDC_YEAR_NOT_USE"
    assert refused.value.details["purpose"] == purpose.value


@pytest.mark.parametrize(
    "kind",
    [TransactionKind.TRANSFER, TransactionKind.EXTERNAL_TRANSFER, TransactionKind.RETIREMENT],
)
def test_moves_other_than_cancellations_refuse_an_ndc_year(kind: TransactionKind) -> None:
    assert ndc_year_of(kind, None, None, 2026) is None
    with pytest.raises(InvalidInput) as refused:
        ndc_year_of(kind, None, 2025, 2026)
    assert refused.value.code == "T8_NDC_YEAR_NOT_USE"
    assert refused.value.details == {"ndc_year": 2025, "kind": kind.value, "purpose": None}


# -- the batch file's optional column --------------------------------------------------------

HEADER = "kind,from,to,quantity,serials,purpose,beneficiary,note,ndc_year\n"


def test_a_batch_row_gives_its_ndc_year_in_an_optional_column() -> None:
    (with_year, without), (plain,) = (
        parse_batch(
            HEADER + "cancel,JP-GOV-0001,,5,,ndc,,,2025\ncancel,JP-GOV-0001,,5,,ndc,,,\n", "b"
        ),
        parse_batch("kind,from,quantity,purpose\ncancel,JP-GOV-0001,5,ndc\n", "c"),
    )

    assert with_year[0].ndc_year == 2025
    assert without[0].ndc_year is None
    assert plain[0].ndc_year is None
    row = {
        "kind": "cancel",
        "from": "JP-GOV-0001",
        "quantity": 5,
        "purpose": "ndc",
        "ndc_year": 2024,
    }
    ((move, _),) = parse_batch(json.dumps(row), "d", json_lines=True)
    assert move.ndc_year == 2024


@pytest.mark.parametrize("year", ["last", "20x5", "²⁰²⁵"])
def test_a_batch_row_whose_ndc_year_is_not_a_year_is_refused_naming_the_row(year: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_batch(HEADER + f"cancel,JP-GOV-0001,,5,,ndc,,,{year}\n", "uses.csv")

    assert refused.value.code == "G1_BAD_BATCH"
    assert refused.value.details["row"] == 1
    assert "ndc_year" in refused.value.message
