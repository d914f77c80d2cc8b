"""JCM serial numbers: ``ORIGIN-PARTNER-JCM-PROJECT-VINTAGE-SEQ-START[-END]``."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jcm.domain.errors import InvalidInput
from jcm.domain.registry.serials import SerialRange

COUNTRY = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)


@st.composite
def serial_ranges(draw: st.DrawFn) -> SerialRange:
    partner = draw(COUNTRY)
    start = draw(st.integers(min_value=1, max_value=10**12))
    return SerialRange(
        origin=draw(COUNTRY),
        partner=partner,
        project=f"{partner}{draw(st.integers(min_value=0, max_value=999)):03d}",
        vintage=draw(st.integers(min_value=1000, max_value=9999)),
        period_seq=draw(st.integers(min_value=1, max_value=10**6)),
        start=start,
        end=start + draw(st.integers(min_value=0, max_value=10**12)),
    )


def test_the_documented_example_parses_into_its_elements() -> None:
    serial = SerialRange.parse("JP-KE-JCM-KE001-2024-1-501-1000")

    assert serial == SerialRange("JP", "KE", "KE001", 2024, 1, 501, 1000)
    assert serial.quantity == 500


def test_formatting_writes_every_element_in_the_documented_order() -> None:
    serial = SerialRange("KE", "KE", "KE012", 2031, 3, 7, 9)

    assert serial.format() == "KE-KE-JCM-KE012-2031-3-7-9"
    assert str(serial) == serial.format()


@given(serial_ranges())
def test_a_formatted_serial_parses_back_to_the_same_range(serial: SerialRange) -> None:
    assert SerialRange.parse(serial.format()) == serial


@given(serial_ranges())
def test_parsing_a_formatted_serial_reproduces_the_text_exactly(serial: SerialRange) -> None:
    text = serial.format()

    assert SerialRange.parse(text).format() == text


@given(serial_ranges())
def test_quantity_counts_both_ends_of_the_inclusive_range(serial: SerialRange) -> None:
    assert serial.quantity == serial.end - serial.start + 1
    assert serial.quantity >= 1


def test_a_single_serial_without_an_end_is_a_range_of_one_unit() -> None:
    serial = SerialRange.parse("JP-KE-JCM-KE001-2024-1-17")

    assert (serial.start, serial.end) == (17, 17)
    assert serial.quantity == 1
    assert serial.format() == "JP-KE-JCM-KE001-2024-1-17-17"


def test_parsing_ignores_surrounding_whitespace_and_letter_case() -> None:
    assert SerialRange.parse("  jp-ke-jcm-ke001-2024-2-5-6\n") == SerialRange(
        "JP", "KE", "KE001", 2024, 2, 5, 6
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "JP",
        "JP-KE-KE001-2024-1-1-5",  # the JCM marker is missing
        "JP-KE-VCS-KE001-2024-1-1-5",  # another programme
        "JPN-KE-JCM-KE001-2024-1-1-5",  # three-letter origin
        "JP-K-JCM-K001-2024-1-1-5",  # one-letter partner
        "JP-KE-JCM-KE01-2024-1-1-5",  # project with two digits
        "JP-KE-JCM-KE0001-2024-1-1-5",  # project with four digits
        "JP-KE-JCM-KE001-24-1-1-5",  # two-digit vintage
        "JP-KE-JCM-KE001-2024-0-1-5",  # period sequence 0
        "JP-KE-JCM-KE001-2024-1-0-5",  # serial 0
        "JP-KE-JCM-KE001-2024-1-01-5",  # leading zero
        "JP-KE-JCM-KE001-2024-1--5",  # empty start
        "JP-KE-JCM-KE001-2024-1-1-5-9",  # one element too many
        "JP-KE-JCM-KE001-2024-1-1-",  # dangling dash
        "JP KE JCM KE001 2024 1 1 5",  # spaces instead of dashes
        "JP-KE-JCM-KE001-2024-1-1-5x",  # trailing garbage
    ],
)
def test_a_malformed_serial_is_refused_with_u6_bad_serial_naming_the_text(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        SerialRange.parse(text)

    assert refused.value.code == "U6_BAD_SERIAL"
    assert repr(text) in refused.value.message
    assert refused.value.details == {"serial": text}


def test_a_range_whose_start_exceeds_its_end_is_refused_with_u6_bad_range() -> None:
    with pytest.raises(InvalidInput) as refused:
        SerialRange.parse("JP-KE-JCM-KE001-2024-1-10-5")

    assert refused.value.code == "U6_BAD_RANGE"
    assert "10-5" in refused.value.message
    assert refused.value.details == {"start": 10, "end": 5}


@pytest.mark.parametrize(("start", "end"), [(0, 5), (-3, 2), (0, 0), (6, 5)])
def test_a_range_built_directly_must_start_at_1_or_above_and_not_run_backwards(
    start: int, end: int
) -> None:
    with pytest.raises(InvalidInput) as refused:
        SerialRange("JP", "KE", "KE001", 2024, 1, start, end)

    assert refused.value.code == "U6_BAD_RANGE"
    assert f"{start}-{end}" in refused.value.message


def test_a_project_of_another_partner_is_refused_naming_project_and_partner() -> None:
    with pytest.raises(InvalidInput) as refused:
        SerialRange.parse("JP-KE-JCM-TZ001-2024-1-1-5")

    assert refused.value.code == "U6_BAD_SERIAL"
    assert "TZ001" in refused.value.message
    assert "KE" in refused.value.message
    assert refused.value.details == {"project": "TZ001", "partner": "KE"}


@pytest.mark.parametrize(
    "text",
    [
        "JP-KE-JCM-KE\u0660\u0660\u0661-2024-1-1-5",  # Arabic-Indic digits in the project
        "JP-KE-JCM-KE001-\u0662\u0660\u0662\u0664-1-1-5",  # Arabic-Indic digits in the vintage
        "JP-KE-JCM-KE001-2024-1-\uff11-\uff15",  # full-width digits in the serials
    ],
)
def test_only_ascii_digits_are_accepted_in_a_serial(text: str) -> None:
    # A serial is an identifier compared character by character (project ids, decisions);
    # look-alike digits from other scripts must not yield a second spelling of one unit.
    with pytest.raises(InvalidInput) as refused:
        SerialRange.parse(text)

    assert refused.value.code == "U6_BAD_SERIAL"


def test_serial_ranges_are_values_compared_by_content() -> None:
    a = SerialRange("JP", "KE", "KE001", 2024, 1, 1, 5)
    b = SerialRange.parse("JP-KE-JCM-KE001-2024-1-1-5")

    assert a == b
    assert hash(a) == hash(b)
    assert a != SerialRange("KE", "KE", "KE001", 2024, 1, 1, 5)  # origin is part of identity
