"""Our canonical JSON is byte-for-byte the rfc8785 package's output."""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from jcm.adapters.canonical import canonical_json

ascii_keys = st.text(alphabet=st.characters(max_codepoint=127), max_size=12)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.text(max_size=40)
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(ascii_keys, children, max_size=5)
    ),
    max_leaves=25,
)


@settings(max_examples=500)
@given(values)
def test_canonical_json_matches_rfc8785_for_log_shaped_values(value: Any) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


@given(
    st.dictionaries(
        st.text(max_size=5), st.floats(allow_nan=False, allow_infinity=False), max_size=4
    )
)
def test_values_outside_the_fast_path_still_match_rfc8785(value: Any) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


def test_control_characters_and_non_ascii_text_are_encoded_as_jcs_requires() -> None:
    value = {"b": "tab\there\n\u0001 東京 \u2028", "a": [True, None, -3]}
    assert canonical_json(value) == rfc8785.dumps(value)
    assert canonical_json(value).startswith(b'{"a":[true,null,-3],"b":"tab\\there\\n\\u0001')


def test_number_lookalikes_inside_strings_keep_the_fast_path_and_real_floats_do_not() -> None:
    in_strings: dict[str, str | int] = {"note": "v1.0 of 1e3 and 12345678901234567", "n": 3}
    assert canonical_json(in_strings) == rfc8785.dumps(in_strings)
    for value in ({"x": 1.0}, {"x": 1e21}, {"x": [0.1, 2]}):
        assert canonical_json(value) == rfc8785.dumps(value)


hazards = st.recursive(
    scalars
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(min_value=-(2**70), max_value=2**70),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(ascii_keys, children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=500)
@given(hazards)
def test_floats_and_big_integers_anywhere_never_take_a_wrong_fast_path(value: Any) -> None:
    try:
        expected: bytes | type[Exception] = rfc8785.dumps(value)
    except Exception as error:  # rfc8785 refuses integers beyond I-JSON's range
        expected = type(error)
    try:
        found: bytes | type[Exception] = canonical_json(value)
    except Exception as error:
        found = type(error)
    assert found == expected


def test_a_timestamp_with_fractional_seconds_stays_on_the_fast_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    value: dict[str, str | int | list[int]] = {
        "timestamp": "2026-11-22T23:04:22.010287+00:00",
        "quantity": 7,
        "r": [1, 2],
    }
    expected = rfc8785.dumps(value)

    def slow_path(_: Any) -> bytes:
        raise AssertionError("took the slow path")

    monkeypatch.setattr(rfc8785, "dumps", slow_path)
    assert canonical_json(value) == expected


def test_bare_numbers_take_the_exact_path() -> None:
    assert canonical_json(1.5) == rfc8785.dumps(1.5)
    assert canonical_json(-2) == rfc8785.dumps(-2)
