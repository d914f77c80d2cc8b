"""Unit blocks: contiguous serial ranges of one JC decision held in one account.

Invariants (checked by :func:`check_partition` and by the stateful tests):
* ``1 <= start <= end``, quantity = ``end - start + 1``;
* blocks of one decision never overlap, across both registries;
* the blocks of a decision cover exactly the serials issued for it.

Taking units out of an account carves blocks where needed: the piece that moves keeps the
block's row and the pieces left behind become new rows (``id=None``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from jcm.domain.errors import InvalidInput
from jcm.domain.registry.article6 import Article6

BlockKey = tuple[int, int]  # (decision id, serial start): the order "lowest serials first"


@dataclass(slots=True, eq=False)  # an entity: two blocks are equal only if identical
class UnitBlock:
    decision_id: int
    start: int
    end: int
    origin_registry: str
    registry: str
    account_id: str
    article6: Article6 = field(default_factory=Article6)
    id: int | None = None

    def __post_init__(self) -> None:
        if self.start < 1 or self.end < self.start:
            raise InvalidInput(
                "U6_BAD_RANGE",
                f"Block {self.start}-{self.end} of decision {self.decision_id} is invalid.",
                start=self.start,
                end=self.end,
            )

    @property
    def quantity(self) -> int:
        return self.end - self.start + 1

    @property
    def key(self) -> BlockKey:
        return (self.decision_id, self.start)

    def carve(self, start: int, end: int) -> list[UnitBlock]:
        """Shrink this block to [start, end] and return new blocks for what is left over.

        The carved piece keeps this block's identity (its row is rewritten); the 0, 1 or 2
        left-over pieces are new blocks in the same account with the same attributes.
        """
        if not (self.start <= start <= end <= self.end):
            raise ValueError(f"[{start}, {end}] is not inside [{self.start}, {self.end}]")
        leftovers = []
        if start > self.start:
            leftovers.append(self._piece(self.start, start - 1))
        if end < self.end:
            leftovers.append(self._piece(end + 1, self.end))
        self.start, self.end = start, end
        return leftovers

    def _piece(self, start: int, end: int) -> UnitBlock:
        return UnitBlock(
            self.decision_id,
            start,
            end,
            self.origin_registry,
            self.registry,
            self.account_id,
            self.article6,
        )


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start <= b_end and b_start <= a_end


def check_partition(blocks: Iterable[UnitBlock], issued_ranges: Sequence[tuple[int, int]]) -> None:
    """Raise ValueError unless ``blocks`` tile ``issued_ranges`` exactly, with no overlap.

    Used by the audit and tests; ``blocks`` and ``issued_ranges`` belong to one decision.
    """
    ordered = sorted(blocks, key=lambda b: b.start)
    expected = sorted(issued_ranges)
    pieces: list[tuple[int, int]] = []
    for block in ordered:
        if pieces and block.start <= pieces[-1][1]:
            raise ValueError(
                f"blocks overlap at serial {block.start} of decision {block.decision_id}"
            )
        if pieces and block.start == pieces[-1][1] + 1:
            pieces[-1] = (pieces[-1][0], block.end)
        else:
            pieces.append((block.start, block.end))
    merged: list[tuple[int, int]] = []
    for start, end in expected:
        if merged and start == merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    if pieces != merged:
        raise ValueError(f"blocks cover {pieces} but issued ranges are {merged}")
