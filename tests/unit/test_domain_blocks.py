"""Unit blocks: carving contiguous serial ranges and checking that blocks tile a decision."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jcm.domain.errors import InvalidInput
from jcm.domain.registry.article6 import Article6, AuthorisedUse, CaStatus, FirstTransferTrigger
from jcm.domain.registry.blocks import UnitBlock, check_partition, overlaps

AUTHORISED = Article6(
    authorised_uses=frozenset({AuthorisedUse.OIMP}),
    authorisation_ref="KE-AUTH-7",
    first_transfer_trigger=FirstTransferTrigger.AUTHORISATION,
    first_transferred=True,
    ca_status=CaStatus.PENDING,
)


def block(start: int, end: int) -> UnitBlock:
    """A stored block of decision 7 (row 42), issued by KE and now held in Japan."""
    return UnitBlock(7, start, end, "KE", "JP", "JP-ENT-0003", AUTHORISED, id=42)


def same_attributes(piece: UnitBlock, original: UnitBlock) -> bool:
    return (
        piece.decision_id,
        piece.origin_registry,
        piece.registry,
        piece.account_id,
        piece.article6,
    ) == (
        original.decision_id,
        original.origin_registry,
        original.registry,
        original.account_id,
        original.article6,
    )


def test_a_block_knows_its_quantity_and_its_key() -> None:
    b = block(501, 1000)

    assert b.quantity == 500
    assert b.key == (7, 501)


def test_a_new_block_is_not_authorised_and_has_no_row_yet() -> None:
    b = UnitBlock(1, 1, 10, "JP", "JP", "JP-GOV-0001")

    assert b.article6 == Article6()
    assert not b.article6.authorised
    assert b.id is None


@pytest.mark.parametrize(("start", "end"), [(0, 5), (-1, 3), (5, 4)])
def test_a_block_must_start_at_1_or_above_and_not_run_backwards(start: int, end: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        block(start, end)

    assert refused.value.code == "U6_BAD_RANGE"
    assert f"{start}-{end}" in refused.value.message
    assert refused.value.details == {"start": start, "end": end}


def test_blocks_are_entities_equal_only_to_themselves() -> None:
    a, b = block(1, 10), block(1, 10)

    assert a == a
    assert a != b


def test_carving_the_whole_block_leaves_nothing_over() -> None:
    b = block(1, 10)

    assert b.carve(1, 10) == []
    assert (b.start, b.end, b.id) == (1, 10, 42)


def test_carving_the_head_leaves_the_tail_as_a_new_block() -> None:
    b = block(1, 10)

    (tail,) = b.carve(1, 4)

    assert (b.start, b.end, b.id) == (1, 4, 42)
    assert (tail.start, tail.end, tail.id) == (5, 10, None)
    assert same_attributes(tail, b)


def test_carving_the_tail_leaves_the_head_as_a_new_block() -> None:
    b = block(1, 10)

    (head,) = b.carve(8, 10)

    assert (b.start, b.end, b.id) == (8, 10, 42)
    assert (head.start, head.end, head.id) == (1, 7, None)
    assert same_attributes(head, b)


def test_carving_the_middle_leaves_head_and_tail_as_new_blocks() -> None:
    b = block(101, 200)

    head, tail = b.carve(150, 150)

    assert (b.start, b.end, b.id, b.quantity) == (150, 150, 42, 1)
    assert (head.start, head.end, head.id) == (101, 149, None)
    assert (tail.start, tail.end, tail.id) == (151, 200, None)
    assert same_attributes(head, b)
    assert same_attributes(tail, b)
    assert head is not b
    assert tail is not b


@given(st.data())
def test_carving_conserves_every_serial_exactly_once(data: st.DataObject) -> None:
    start = data.draw(st.integers(min_value=1, max_value=10**9))
    end = data.draw(st.integers(min_value=start, max_value=start + 10**6))
    cut_start = data.draw(st.integers(min_value=start, max_value=end))
    cut_end = data.draw(st.integers(min_value=cut_start, max_value=end))
    b = block(start, end)

    leftovers = b.carve(cut_start, cut_end)

    assert (b.start, b.end, b.id) == (cut_start, cut_end, 42)
    assert len(leftovers) == (cut_start > start) + (cut_end < end)
    assert b.quantity + sum(piece.quantity for piece in leftovers) == end - start + 1
    assert all(same_attributes(piece, b) and piece.id is None for piece in leftovers)
    check_partition([b, *leftovers], [(start, end)])


@pytest.mark.parametrize(("start", "end"), [(0, 5), (5, 11), (0, 11), (6, 4), (11, 12)])
def test_carving_outside_the_block_raises_and_leaves_it_unchanged(start: int, end: int) -> None:
    b = block(1, 10)

    with pytest.raises(ValueError, match="not inside"):
        b.carve(start, end)

    assert (b.start, b.end) == (1, 10)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((1, 5), (5, 9), True),
        ((1, 5), (6, 9), False),
        ((3, 4), (1, 10), True),
        ((7, 9), (1, 6), False),
        ((2, 2), (2, 2), True),
    ],
)
def test_ranges_overlap_when_they_share_a_serial(
    a: tuple[int, int], b: tuple[int, int], expected: bool
) -> None:
    assert overlaps(*a, *b) is expected
    assert overlaps(*b, *a) is expected


def test_blocks_that_tile_the_issued_ranges_exactly_pass_in_any_order() -> None:
    blocks = [block(501, 1000), block(1, 200), block(201, 500)]

    check_partition(blocks, [(1, 300), (301, 1000)])
    check_partition(blocks, [(301, 1000), (1, 300)])


def test_an_empty_decision_has_an_empty_partition() -> None:
    check_partition([], [])


def test_overlapping_blocks_are_detected_naming_the_serial() -> None:
    with pytest.raises(ValueError, match="overlap at serial 5 of decision 7"):
        check_partition([block(1, 5), block(5, 10)], [(1, 10)])


def test_a_duplicated_block_is_an_overlap() -> None:
    with pytest.raises(ValueError, match="overlap"):
        check_partition([block(1, 10), block(1, 10)], [(1, 10)])


def test_a_block_nested_in_another_is_an_overlap() -> None:
    with pytest.raises(ValueError, match="overlap"):
        check_partition([block(1, 10), block(3, 4)], [(1, 10)])


def test_a_gap_between_blocks_is_detected() -> None:
    with pytest.raises(ValueError, match="cover"):
        check_partition([block(1, 4), block(6, 10)], [(1, 10)])


def test_missing_serials_at_the_end_are_detected() -> None:
    with pytest.raises(ValueError, match="cover"):
        check_partition([block(1, 9)], [(1, 10)])


def test_serials_beyond_what_was_issued_are_detected() -> None:
    with pytest.raises(ValueError, match="cover"):
        check_partition([block(1, 10), block(11, 12)], [(1, 10)])


def test_blocks_for_a_decision_with_nothing_issued_are_detected() -> None:
    with pytest.raises(ValueError, match="cover"):
        check_partition([block(1, 1)], [])


def test_blocks_covering_the_gap_between_two_issued_ranges_are_detected() -> None:
    # Japan issued 1-10 and 21-30; serials 11-20 belong to the partner's unissued share.
    with pytest.raises(ValueError, match="cover"):
        check_partition([block(1, 30)], [(1, 10), (21, 30)])


@st.composite
def tilings(draw: st.DrawFn) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """A random issued range 1..N cut two independent ways: into blocks and into lines."""
    total = draw(st.integers(min_value=1, max_value=10**6))

    def cut() -> list[tuple[int, int]]:
        points = draw(
            st.lists(st.integers(min_value=2, max_value=total), unique=True, max_size=20)
            if total > 1
            else st.just([])
        )
        bounds = [1, *sorted(points), total + 1]
        return [(lo, hi - 1) for lo, hi in itertools.pairwise(bounds)]

    return cut(), cut()


@given(tilings(), st.randoms(use_true_random=False))
def test_any_partition_of_the_issued_serials_is_accepted(
    tiling: tuple[list[tuple[int, int]], list[tuple[int, int]]], rnd: random.Random
) -> None:
    pieces, issued = tiling
    blocks = [block(s, e) for s, e in pieces]
    rnd.shuffle(blocks)

    check_partition(blocks, issued)


@given(tilings(), st.data())
def test_removing_or_duplicating_any_block_of_a_partition_is_detected(
    tiling: tuple[list[tuple[int, int]], list[tuple[int, int]]], data: st.DataObject
) -> None:
    pieces, issued = tiling
    victim = data.draw(st.integers(min_value=0, max_value=len(pieces) - 1))
    duplicate = data.draw(st.booleans())
    blocks = [block(s, e) for s, e in pieces]
    if duplicate:
        blocks.append(block(*pieces[victim]))
    else:
        del blocks[victim]

    with pytest.raises(ValueError, match="overlap" if duplicate else "cover"):
        check_partition(blocks, issued)


@given(tilings(), st.data())
def test_shifting_one_boundary_of_a_partition_is_detected(
    tiling: tuple[list[tuple[int, int]], list[tuple[int, int]]], data: st.DataObject
) -> None:
    pieces, issued = tiling
    i = data.draw(st.integers(min_value=0, max_value=len(pieces) - 1))
    start, end = pieces[i]
    grow = data.draw(st.booleans()) or start == end
    blocks = [block(s, e) for s, e in pieces]
    blocks[i] = block(start, end + 1) if grow else block(start, end - 1)

    with pytest.raises(ValueError, match=r"overlap|cover"):
        check_partition(blocks, issued)
