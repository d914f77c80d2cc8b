"""Ranges of ITMO ids (inclusive) for the checks: which ranges overlap a given one, the
union of ranges, and what of a range a union leaves uncovered. Sorted lists and bisection,
so a year of 10^5 actions over 10^4 blocks is checked in n log n."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from typing import Generic, TypeVar

T = TypeVar("T")
Range = tuple[int, int]  # first and last id, inclusive


class RangeIndex(Generic[T]):
    """Ranges each carrying a value, answering which of them overlap a range.

    Sorted by first id with a running maximum of last ids, so a query walks back from
    the last range starting at or before the query's end only while some earlier range
    may still reach the query's start.
    """

    def __init__(self, ranges: Iterable[tuple[int, int, T]]) -> None:
        items = sorted((r for r in ranges if r[0] <= r[1]), key=lambda r: (r[0], r[1]))
        self._firsts = [r[0] for r in items]
        self._items = items
        reach: list[int] = []
        for _, last, _ in items:
            reach.append(max(last, reach[-1]) if reach else last)
        self._reach = reach

    def overlapping(self, first: int, last: int) -> list[T]:
        """The values of the ranges sharing at least one id with ``first``..``last``, in
        order of their first id."""
        found: list[T] = []
        j = bisect_right(self._firsts, last) - 1
        while j >= 0 and self._reach[j] >= first:
            start, end, value = self._items[j]
            if end >= first and start <= last:
                found.append(value)
            j -= 1
        found.reverse()
        return found


def union(ranges: Iterable[Range]) -> list[Range]:
    """The ranges merged into disjoint, non-adjacent ranges in order."""
    merged: list[Range] = []
    for first, last in sorted(r for r in ranges if r[0] <= r[1]):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def uncovered(first: int, last: int, cover: list[Range]) -> list[Range]:
    """The parts of ``first``..``last`` outside ``cover`` (a :func:`union`)."""
    gaps: list[Range] = []
    at = first
    j = max(bisect_right(cover, (first, first)) - 1, 0)
    for start, end in cover[j:]:
        if start > last:
            break
        if end < at:
            continue
        if start > at:
            gaps.append((at, start - 1))
        at = max(at, end + 1)
        if at > last:
            return gaps
    if at <= last:
        gaps.append((at, last))
    return gaps


def ids_text(ranges: Iterable[Range]) -> str:
    """Ranges as a message writes them: ``1–10, 15``."""
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in ranges)
