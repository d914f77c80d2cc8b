"""The signed batch wire format: parsing is exact, round-trips, and names what is wrong."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jcm.domain.errors import InvalidInput
from jcm.domain.mrv.batches import (
    MAX_ABS_WH,
    MAX_READINGS_PER_BATCH,
    MAX_SEQ,
    Batch,
    Reading,
    batch_object,
    format_timestamp,
    parse_batch,
    parse_timestamp,
    split_envelope,
)

# UTC seconds whose local time stays within the years the format allows, at any offset.
EARLIEST = int(datetime(2000, 1, 2, tzinfo=UTC).timestamp())
LATEST = int(datetime(2100, 12, 30, tzinfo=UTC).timestamp())

device_ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1)
readings = st.builds(
    Reading,
    st.integers(min_value=EARLIEST, max_value=LATEST),
    offsets,
    st.integers(min_value=-MAX_ABS_WH, max_value=MAX_ABS_WH),
)
batches = st.builds(
    Batch,
    device_ids,
    st.integers(min_value=1, max_value=MAX_SEQ),
    st.lists(readings, min_size=1, max_size=30).map(tuple),
)


@settings(max_examples=300)
@given(batches)
def test_a_parsed_batch_object_is_the_batch_it_was_built_from(batch: Batch) -> None:
    assert parse_batch(batch_object(batch)) == batch
    assert parse_batch(batch_object(batch)) == batch  # again, through the day memo


@settings(max_examples=500)
@given(st.integers(min_value=EARLIEST, max_value=LATEST), offsets)
def test_formatting_and_parsing_a_timestamp_are_inverse(utc_seconds: int, offset: int) -> None:
    text = format_timestamp(utc_seconds, offset)

    assert parse_timestamp(text) == (utc_seconds, offset)
    assert parse_timestamp(text) == (utc_seconds, offset)
    assert format_timestamp(*parse_timestamp(text)) == text


def test_a_timestamp_parses_to_utc_seconds_and_the_written_offset() -> None:
    assert parse_timestamp("2026-06-01T10:15:00+03:00") == (
        int(datetime(2026, 6, 1, 7, 15, tzinfo=UTC).timestamp()),
        180,
    )
    assert parse_timestamp("2026-06-01T10:15:00-05:30")[1] == -330


@pytest.mark.parametrize(
    "text",
    [
        "2026-06-01T10:60:00+03:00",  # minute 60, after a valid reading of the same day
        "2026-06-01T10:15:60+03:00",
        "2026-06-01T24:00:00+03:00",
        "2026-06-01T1a:00:00+03:00",
        "2026-06-01T10.15:00+03:00",
        "2026-06-01T10:1x:00+03:00",
        "2026-06-01T10:15-00+03:00",
        "2026-06-01T10:١٥:00+03:00",  # Arabic-Indic digits: the text would not round-trip
        "2026-06-01T10:15:00Z",
        "2026-06-01T10:15:00-00:00",
        "2026-06-01T10:15:00+24:00",
        "2026-06-01 10:15:00+03:00",
        "2026-02-30T10:15:00+03:00",
        "1999-12-31T10:15:00+03:00",
        "٢٠٢٦-06-01T10:15:00+03:00",
    ],
)
def test_a_timestamp_not_in_the_one_canonical_form_is_refused(text: str) -> None:
    parse_timestamp("2026-06-01T10:00:00+03:00")  # fills the memo for that day

    with pytest.raises(ValueError, match=r"."):
        parse_timestamp(text)


def _batch(readings: object, **changes: object) -> dict[str, object]:
    batch: dict[str, object] = {"device": "KE001-PV-001", "seq": 7, "readings": readings}
    batch.update(changes)
    return batch


GOOD = [["2026-06-01T10:15:00+03:00", 1200]]


@pytest.mark.parametrize(
    ("batch", "device", "seq"),
    [
        (_batch([]), "KE001-PV-001", 7),
        (_batch("none"), "KE001-PV-001", 7),
        (_batch([["2026-06-01T10:15:00+03:00"]]), "KE001-PV-001", 7),
        (_batch([["2026-06-01T10:15:00+03:00", 1.5]]), "KE001-PV-001", 7),
        (_batch([["2026-06-01T10:15:00+03:00", True]]), "KE001-PV-001", 7),
        (_batch([["2026-06-01T10:15:00+03:00", MAX_ABS_WH + 1]]), "KE001-PV-001", 7),
        (_batch([*GOOD, ["2026-06-01T10:15:00", 3]]), "KE001-PV-001", 7),
        (_batch([*GOOD, "2026-06-01T10:15:00+03:00"]), "KE001-PV-001", 7),
        (_batch(GOOD, seq=0), "KE001-PV-001", None),
        (_batch(GOOD, seq="7"), "KE001-PV-001", None),
        (_batch(GOOD, seq=MAX_SEQ + 1), "KE001-PV-001", None),
        (_batch(GOOD, device="KE 001"), None, 7),
        (_batch(GOOD, extra=1), "KE001-PV-001", 7),
    ],
)
def test_a_malformed_batch_is_refused_d4_naming_its_device_and_seq(
    batch: dict[str, object], device: str | None, seq: int | None
) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_batch(batch)

    assert refused.value.code == "D4_MALFORMED"
    assert refused.value.details["device"] == device
    assert refused.value.details["seq"] == seq
    assert refused.value.details["rule"] == "D4_MALFORMED"


def test_a_bad_reading_is_named_by_its_index() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_batch(_batch([*GOOD, *GOOD, ["2026-06-01T10:15:00+03:00", "9"]]))

    assert "Reading 2 of batch 7" in refused.value.message


def test_a_batch_of_too_many_readings_is_refused_d5() -> None:
    too_many = GOOD * (MAX_READINGS_PER_BATCH + 1)

    with pytest.raises(InvalidInput) as refused:
        parse_batch(_batch(too_many))

    assert refused.value.code == "D5_TOO_LARGE"
    assert (refused.value.details["device"], refused.value.details["seq"]) == ("KE001-PV-001", 7)


@pytest.mark.parametrize(
    "envelope",
    [
        [],
        {"batch": []},
        {"batch": _batch(GOOD), "signature": 5},
        {"batch": _batch(GOOD), "signature": "x", "note": "hi"},
    ],
)
def test_a_malformed_envelope_is_refused_d4(envelope: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        split_envelope(envelope)

    assert refused.value.code == "D4_MALFORMED"


def test_an_envelope_without_a_signature_splits_into_an_empty_one() -> None:
    assert split_envelope({"batch": _batch(GOOD)}) == (_batch(GOOD), "")


def test_a_refusal_quotes_a_huge_or_deeply_nested_value_briefly() -> None:
    nested: object = 1
    for _ in range(10_000):
        nested = [nested]

    for bad in ("x" * 100_000, nested):
        with pytest.raises(InvalidInput) as refused:
            parse_batch(_batch(GOOD, device=bad))
        assert len(refused.value.message) < 200
