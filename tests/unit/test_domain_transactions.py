"""Transaction records, moved ranges and cancellation purposes."""

from __future__ import annotations

import pytest

from jcm.domain.errors import InvalidInput
from jcm.domain.registry.transactions import (
    CancellationPurpose,
    MovedRange,
    TransactionKind,
    TransactionRecord,
    parse_purpose,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ndc", CancellationPurpose.NDC),
        (" OIMP ", CancellationPurpose.OIMP),
        ("Voluntary", CancellationPurpose.VOLUNTARY),
    ],
)
def test_a_cancellation_purpose_is_parsed_regardless_of_case_and_spaces(
    text: str, expected: CancellationPurpose
) -> None:
    assert parse_purpose(text) is expected


@pytest.mark.parametrize("text", ["", "offset", "ndc,oimp"])
def test_an_unknown_cancellation_purpose_is_refused_naming_it(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_purpose(text)

    assert refused.value.code == "G1_BAD_PURPOSE"
    assert repr(text) in refused.value.message
    assert refused.value.details == {"purpose": text}


def test_a_moved_range_counts_both_ends() -> None:
    assert MovedRange(1, 501, 1000, "JP-KE-JCM-KE001-2024-1-501-1000").quantity == 500


def test_the_event_payload_records_the_whole_change() -> None:
    record = TransactionRecord(
        TransactionKind.EXTERNAL_TRANSFER,
        "JP",
        "JP-ENT-0001",
        "KE-ENT-0002",
        15,
        detail={"note": "sale"},
        ranges=[
            MovedRange(1, 1, 10, "JP-KE-JCM-KE001-2024-1-1-10"),
            MovedRange(2, 7, 11, "JP-KE-JCM-KE001-2025-2-7-11"),
        ],
        id=12,
    )

    assert record.event_payload() == {
        "transaction": 12,
        "kind": "external_transfer",
        "registry": "JP",
        "source": "JP-ENT-0001",
        "destination": "KE-ENT-0002",
        "quantity": 15,
        "detail": {"note": "sale"},
        "ranges": [
            {"decision": 1, "start": 1, "end": 10, "serial": "JP-KE-JCM-KE001-2024-1-1-10"},
            {"decision": 2, "start": 7, "end": 11, "serial": "JP-KE-JCM-KE001-2025-2-7-11"},
        ],
    }


def test_records_do_not_share_their_default_detail_or_ranges() -> None:
    a = TransactionRecord(TransactionKind.ISSUANCE, "JP", None, "JP-GOV-0001", 1)
    b = TransactionRecord(TransactionKind.ISSUANCE, "JP", None, "JP-GOV-0001", 1)

    a.detail["x"] = 1
    a.ranges.append(MovedRange(1, 1, 1, "JP-KE-JCM-KE001-2024-1-1-1"))

    assert (b.detail, b.ranges) == ({}, [])
