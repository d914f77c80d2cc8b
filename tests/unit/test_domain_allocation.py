"""Splitting a JC decision into whole units per holder (floor + designated remainder)."""

from __future__ import annotations

import itertools
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jcm.domain.errors import InvalidInput
from jcm.domain.registry.allocation import AllocatedLine, AllocationShare, allocate, parse_share


def shares(*pairs: tuple[str, str]) -> list[AllocationShare]:
    return [AllocationShare(account, Decimal(pct)) for account, pct in pairs]


def exact_floor(amount: int, pct: Decimal) -> int:
    return math.floor(Fraction(amount) * Fraction(pct) / 100)


@st.composite
def shares_summing_to_100(draw: st.DrawFn) -> list[AllocationShare]:
    """1–8 holders with positive shares of up to 4 decimals that add up to exactly 100."""
    decimals = draw(st.integers(min_value=0, max_value=4))
    total = 100 * 10**decimals
    holders = draw(st.integers(min_value=1, max_value=8))
    cuts = draw(
        st.lists(
            st.integers(min_value=1, max_value=total - 1),
            min_size=holders - 1,
            max_size=holders - 1,
            unique=True,
        )
    )
    bounds = [0, *sorted(cuts), total]
    return [
        AllocationShare(f"JP-ENT-{i:04d}", Decimal(hi - lo).scaleb(-decimals))
        for i, (lo, hi) in enumerate(itertools.pairwise(bounds), start=1)
    ]


def assert_contiguous_from_1(lines: list[AllocatedLine], amount: int) -> None:
    next_serial = 1
    for line in lines:
        if line.quantity == 0:
            continue
        assert line.serial_start == next_serial
        assert line.serial_end is not None
        assert line.serial_end - line.serial_start + 1 == line.quantity
        next_serial = line.serial_end + 1
    assert next_serial == amount + 1


def test_each_holder_gets_its_share_and_serials_follow_the_listed_order() -> None:
    lines = allocate(
        1000, shares(("JP-GOV-0001", "50"), ("KE-GOV-0001", "30"), ("JP-ENT-0001", "20"))
    )

    assert [(ln.line_no, ln.account_id, ln.quantity) for ln in lines] == [
        (1, "JP-GOV-0001", 500),
        (2, "KE-GOV-0001", 300),
        (3, "JP-ENT-0001", 200),
    ]
    assert [(ln.serial_start, ln.serial_end) for ln in lines] == [(1, 500), (501, 800), (801, 1000)]
    assert [ln.share_pct for ln in lines] == [Decimal(50), Decimal(30), Decimal(20)]


def test_every_holder_gets_the_floor_of_its_exact_share() -> None:
    lines = allocate(999, shares(("A", "33.33"), ("B", "33.33"), ("C", "33.34")))

    # 999 × 33.33 % = 332.9667 → 332; 999 × 33.34 % = 333.0666 → 333; remainder 2 to A.
    assert [ln.quantity for ln in lines] == [334, 332, 333]


def test_a_remainder_goes_to_the_first_holder_when_nobody_is_designated() -> None:
    lines = allocate(10, shares(("A", "33.33"), ("B", "33.33"), ("C", "33.34")))

    assert [ln.quantity for ln in lines] == [4, 3, 3]
    assert [ln.receives_remainder for ln in lines] == [True, False, False]


def test_a_remainder_goes_to_the_designated_holder_so_lines_sum_to_the_decided_amount() -> None:
    lines = allocate(10, shares(("A", "33.33"), ("B", "33.33"), ("C", "33.34")), remainder_to="B")

    assert [ln.quantity for ln in lines] == [3, 4, 3]
    assert sum(ln.quantity for ln in lines) == 10
    assert [ln.receives_remainder for ln in lines] == [False, True, False]
    assert [(ln.serial_start, ln.serial_end) for ln in lines] == [(1, 3), (4, 7), (8, 10)]


def test_the_designated_remainder_holder_is_matched_case_insensitively() -> None:
    lines = allocate(
        10, shares(("JP-GOV-0001", "50.5"), ("KE-GOV-0001", "49.5")), remainder_to="ke-gov-0001"
    )

    assert [ln.quantity for ln in lines] == [5, 5]
    assert lines[1].receives_remainder


def test_an_exact_split_still_marks_the_remainder_holder_with_nothing_extra() -> None:
    lines = allocate(100, shares(("A", "60"), ("B", "40")), remainder_to="B")

    assert [ln.quantity for ln in lines] == [60, 40]
    assert [ln.receives_remainder for ln in lines] == [False, True]


def test_a_holder_whose_floor_is_zero_gets_a_line_without_serials() -> None:
    lines = allocate(1, shares(("A", "50"), ("B", "50")))

    assert [ln.quantity for ln in lines] == [1, 0]
    assert (lines[0].serial_start, lines[0].serial_end) == (1, 1)
    assert (lines[1].serial_start, lines[1].serial_end) == (None, None)


def test_serials_start_at_1_even_when_the_first_listed_holder_gets_nothing() -> None:
    lines = allocate(1, shares(("A", "50"), ("B", "50")), remainder_to="B")

    assert [ln.quantity for ln in lines] == [0, 1]
    assert (lines[0].serial_start, lines[0].serial_end) == (None, None)
    assert (lines[1].serial_start, lines[1].serial_end) == (1, 1)


def test_a_single_holder_with_100_percent_gets_everything() -> None:
    (line,) = allocate(123_456_789, shares(("JP-GOV-0001", "100.0000")))

    assert (line.quantity, line.serial_start, line.serial_end) == (123_456_789, 1, 123_456_789)
    assert line.receives_remainder


@given(
    amount=st.integers(min_value=1, max_value=10**9),
    share_list=shares_summing_to_100(),
    data=st.data(),
)
def test_lines_always_sum_to_the_amount_with_floors_and_contiguous_serials(
    amount: int, share_list: list[AllocationShare], data: st.DataObject
) -> None:
    designated = data.draw(st.none() | st.sampled_from([s.account_id for s in share_list]))
    remainder_holder = designated or share_list[0].account_id

    lines = allocate(amount, share_list, designated)

    assert sum(ln.quantity for ln in lines) == amount
    assert [ln.line_no for ln in lines] == list(range(1, len(share_list) + 1))
    assert [(ln.account_id, ln.share_pct) for ln in lines] == [
        (s.account_id, s.share_pct) for s in share_list
    ]
    floors = [exact_floor(amount, s.share_pct) for s in share_list]
    remainder = amount - sum(floors)
    assert 0 <= remainder < len(share_list)
    for line, floor in zip(lines, floors, strict=True):
        is_holder = line.account_id == remainder_holder
        assert line.receives_remainder is is_holder
        assert line.quantity == floor + (remainder if is_holder else 0)
        if line.quantity == 0:
            assert (line.serial_start, line.serial_end) == (None, None)
    assert_contiguous_from_1(lines, amount)


@given(amount=st.integers(min_value=1, max_value=10**9), share_list=shares_summing_to_100())
def test_serial_ranges_of_different_lines_never_overlap(
    amount: int, share_list: list[AllocationShare]
) -> None:
    ranges = [
        (ln.serial_start, ln.serial_end)
        for ln in allocate(amount, share_list)
        if ln.serial_start is not None and ln.serial_end is not None
    ]

    for i, (a_start, a_end) in enumerate(ranges):
        assert 1 <= a_start <= a_end <= amount
        for b_start, b_end in ranges[i + 1 :]:
            assert a_end < b_start or b_end < a_start


@pytest.mark.parametrize(
    ("pairs", "total"),
    [
        ((("A", "50"), ("B", "49.99")), "99.99"),
        ((("A", "50"), ("B", "50.0001")), "100.0001"),
        ((("A", "60"),), "60"),
    ],
)
def test_shares_that_do_not_sum_to_exactly_100_are_refused_naming_the_total(
    pairs: tuple[tuple[str, str], ...], total: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        allocate(100, shares(*pairs))

    assert refused.value.code == "I7_BAD_ALLOCATION"
    assert refused.value.details == {"total_pct": total}
    assert f"{total}%" in refused.value.message


def test_a_holder_listed_twice_is_refused_naming_the_account() -> None:
    with pytest.raises(InvalidInput) as refused:
        allocate(100, shares(("JP-GOV-0001", "50"), ("JP-GOV-0001", "50")))

    assert refused.value.code == "I7_BAD_ALLOCATION"
    assert "JP-GOV-0001" in refused.value.message
    assert refused.value.details == {"account": "JP-GOV-0001"}


@pytest.mark.parametrize("pct", ["0", "-10", "100.01", "150", "NaN", "Infinity", "-Infinity"])
def test_a_percentage_outside_0_exclusive_to_100_inclusive_is_refused(pct: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        allocate(100, [AllocationShare("A", Decimal(pct)), AllocationShare("B", Decimal(100))])

    assert refused.value.code == "I7_BAD_ALLOCATION"
    assert refused.value.details["account"] == "A"
    assert refused.value.details["share_pct"] == str(Decimal(pct))


def test_an_allocation_without_shares_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        allocate(100, [])

    assert refused.value.code == "I7_BAD_ALLOCATION"


def test_a_remainder_holder_that_is_not_a_holder_is_refused_naming_it() -> None:
    with pytest.raises(InvalidInput) as refused:
        allocate(100, shares(("A", "50"), ("B", "50")), remainder_to="c")

    assert refused.value.code == "I7_BAD_ALLOCATION"
    assert refused.value.details == {"remainder_to": "C"}
    assert "C" in refused.value.message
    assert "A, B" in refused.value.message


@pytest.mark.parametrize("amount", [0, -1, -1000])
def test_an_amount_below_1_is_refused_with_i6_naming_the_amount(amount: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        allocate(amount, shares(("A", "100")))

    assert refused.value.code == "I6_BAD_AMOUNT"
    assert refused.value.details == {"amount": amount}
    assert str(amount) in refused.value.message


def test_the_amount_is_checked_before_the_shares() -> None:
    with pytest.raises(InvalidInput) as refused:
        allocate(0, [])

    assert refused.value.code == "I6_BAD_AMOUNT"


@pytest.mark.parametrize(
    ("text", "account", "pct"),
    [
        ("JP-GOV-0001=50", "JP-GOV-0001", "50"),
        ("  ke-gov-0001 = 33.3333 ", "KE-GOV-0001", "33.3333"),
        ("JP-ENT-0002=0.5", "JP-ENT-0002", "0.5"),
    ],
)
def test_a_share_typed_as_account_equals_percent_is_parsed_and_normalised(
    text: str, account: str, pct: str
) -> None:
    share = parse_share(text)

    assert share == AllocationShare(account, Decimal(pct))


@pytest.mark.parametrize("text", ["JP-GOV-0001", "JP-GOV-0001:50", "=50", "   =50", ""])
def test_a_share_without_account_or_equals_sign_is_refused_naming_the_text(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_share(text)

    assert refused.value.code == "G1_BAD_SHARE"
    assert repr(text) in refused.value.message
    assert refused.value.details == {"share": text}


@pytest.mark.parametrize("text", ["JP-GOV-0001=", "JP-GOV-0001=fifty", "JP-GOV-0001=50%"])
def test_a_share_whose_percentage_is_not_a_number_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_share(text)

    assert refused.value.code == "G1_BAD_SHARE"
    assert repr(text) in refused.value.message
