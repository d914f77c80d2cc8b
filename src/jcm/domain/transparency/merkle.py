"""The Merkle tree of an append-only log, as RFC 9162 (Certificate Transparency v2) defines it.

Everything here follows the RFC's definitions (§2.1):

* a leaf hash is ``SHA-256(0x00 || data)`` and an interior node ``SHA-256(0x01 || left ||
  right)``; the tree of no leaves has the root ``SHA-256("")`` (:data:`EMPTY_ROOT`);
* the Merkle Tree Hash of ``n > 1`` leaves splits them at ``k``, the largest power of two
  smaller than ``n``: ``MTH(D[n]) = node_hash(MTH(D[0:k]), MTH(D[k:n]))``.

**Perfect subtrees.** The node ``(level l, index k)`` is the root of the perfect subtree over
the leaves ``[k·2^l, (k+1)·2^l)``; level 0 holds the leaf hashes. These nodes never change once
their last leaf is appended, so a store can keep them forever: :meth:`CompactRange.append`
returns every such node an append completes. Every other hash the RFC needs (the root of a
tree whose size is not a power of two, or the right-hand part of one) is the right-to-left
fold of at most ``log2 n`` perfect subtrees (:func:`perfect_subtrees`, :func:`subtree_root`),
so proofs are built from O(log n) stored nodes and never recompute the tree.

**Node source.** Proof generation reads nodes through ``get_node(level, index) -> bytes``
(:data:`NodeSource`), which must return the stored hash of that perfect subtree. Whatever it
raises for a missing node (e.g. ``KeyError``) propagates unchanged.

**Errors.** Generation functions refuse impossible arguments (an index outside the tree, an
old size above the new one) with :class:`MerkleError`, a ``ValueError``. The verifiers never
raise: any malformed input (wrong types, wrong proof length, hashes that are not 32 bytes,
an index at or past the size, sizes out of range) makes them return ``False``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from typing import Any

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MAX_TREE_SIZE",
    "CompactRange",
    "MerkleError",
    "Node",
    "NodeSource",
    "consistency_proof",
    "inclusion_proof",
    "largest_power_of_two_below",
    "leaf_hash",
    "node_hash",
    "perfect_subtrees",
    "root_at",
    "root_from_inclusion_proof",
    "root_from_leaves",
    "subtree_root",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
"""Bytes in every hash of the tree (SHA-256)."""

MAX_TREE_SIZE = 2**64 - 1
"""Tree sizes are uint64 in RFC 9162; the verifiers refuse anything larger."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""``MTH({})``: the root of the tree of no leaves."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

NodeSource = Callable[[int, int], bytes]
"""``get_node(level, index)``: the stored hash of the perfect subtree ``(level, index)``."""

Node = tuple[int, int, bytes]
"""``(level, index, hash)`` of a perfect subtree."""


class MerkleError(ValueError):
    """Arguments no tree can satisfy: an index outside the tree, sizes in the wrong order, a
    serialised frontier of the wrong shape. The message names the values at fault."""


# -- hashing -------------------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``: the hash of one log entry."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``: the hash of an interior node."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def largest_power_of_two_below(n: int) -> int:
    """The ``k`` of RFC 9162 §2.1.1: the largest power of two strictly smaller than ``n``."""
    if n < 2:
        raise MerkleError(f"only a tree of at least 2 leaves is split; got {n}")
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaves(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of the given leaf hashes, by the RFC's recursive definition (O(n) hashing)."""

    def mth(lo: int, hi: int) -> bytes:
        n = hi - lo
        if n == 1:
            return leaf_hashes[lo]
        k = largest_power_of_two_below(n)
        return node_hash(mth(lo, lo + k), mth(lo + k, hi))

    if not leaf_hashes:
        return EMPTY_ROOT
    return mth(0, len(leaf_hashes))


# -- perfect subtrees ----------------------------------------------------------------------


def perfect_subtrees(start: int, end: int) -> list[tuple[int, int]]:
    """The perfect subtrees ``(level, index)`` whose fold is ``MTH(D[start:end])``.

    They are the set bits of ``end - start``, largest first, laid left to right from
    ``start``. Each one is a node of the log's tree only if ``start`` is a multiple of the
    largest of them, which holds for every range RFC 9162 proofs need (the root, and every
    node of the RFC's recursive split); other ranges are refused with :class:`MerkleError`.
    """
    if start < 0 or end < start:
        raise MerkleError(f"leaf range [{start}, {end}) is not a range of leaves")
    width = end - start
    if width == 0:
        return []
    top = 1 << (width.bit_length() - 1)
    if start % top:
        raise MerkleError(
            f"leaf range [{start}, {end}) is not a node of the RFC 9162 tree: its start is "
            f"not a multiple of {top}"
        )
    result: list[tuple[int, int]] = []
    position = start
    for level in range(width.bit_length() - 1, -1, -1):
        if width >> level & 1:
            result.append((level, position >> level))
            position += 1 << level
    return result


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Fold perfect-subtree roots, given left to right, from the right: the RFC's shape."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def subtree_root(start: int, end: int, get_node: NodeSource) -> bytes:
    """``MTH(D[start:end])`` from at most ``log2(end - start) + 1`` stored nodes.

    ``[start, end)`` must be a node of the RFC 9162 tree (see :func:`perfect_subtrees`); the
    empty range gives :data:`EMPTY_ROOT`.
    """
    nodes = perfect_subtrees(start, end)
    if not nodes:
        return EMPTY_ROOT
    return _fold([get_node(level, index) for level, index in nodes])


def root_at(size: int, get_node: NodeSource) -> bytes:
    """The root of the log when it had ``size`` leaves, from O(log size) stored nodes."""
    return subtree_root(0, size, get_node)


# -- the frontier --------------------------------------------------------------------------


class CompactRange:
    """The roots of the perfect subtrees covering the leaves ``[0, size)``, left to right.

    There is one per set bit of ``size`` (at most 64), largest first, so the frontier is all a
    log needs in memory to append leaves and know its root.
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self, size: int = 0, hashes: Iterable[bytes] = ()) -> None:
        hashes = list(hashes)
        if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_TREE_SIZE:
            raise MerkleError(f"a tree size is an integer in [0, 2^64); got {size!r}")
        expected = size.bit_count()
        if len(hashes) != expected:
            raise MerkleError(
                f"a tree of {size} leaves has {expected} frontier hashes; got {len(hashes)}"
            )
        for position, value in enumerate(hashes):
            _check_hash(value, f"frontier hash {position}")
        self._size = size
        self._hashes = hashes

    @property
    def size(self) -> int:
        """Leaves covered."""
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """The frontier hashes, largest subtree first."""
        return tuple(self._hashes)

    def nodes(self) -> list[Node]:
        """The frontier as ``(level, index, hash)``, largest subtree first."""
        return [
            (level, index, value)
            for (level, index), value in zip(
                perfect_subtrees(0, self._size), self._hashes, strict=True
            )
        ]

    def append(self, leaf: bytes) -> list[Node]:
        """Add the leaf hash ``leaf`` at index ``size``.

        Returns every perfect subtree this append completes, the leaf itself ``(0, size,
        leaf)`` first and then each parent it completes, bottom up. Persisting these nodes
        as they come is exactly what a store needs to serve ``get_node`` for any proof.
        """
        _check_hash(leaf, "leaf hash")
        if self._size >= MAX_TREE_SIZE:
            raise MerkleError("the tree is full: 2^64 - 1 leaves")
        index = self._size
        level = 0
        value = leaf
        completed: list[Node] = [(0, index, value)]
        # Each trailing set bit of the old size is a frontier subtree of the same level as
        # the one being built, directly to its left: merge them.
        while index & 1:
            value = node_hash(self._hashes.pop(), value)
            index >>= 1
            level += 1
            completed.append((level, index, value))
        self._hashes.append(value)
        self._size += 1
        return completed

    def extend(self, leaves: Iterable[bytes]) -> list[Node]:
        """Append every leaf hash in order; the completed nodes of all the appends."""
        completed: list[Node] = []
        for leaf in leaves:
            completed.extend(self.append(leaf))
        return completed

    def root(self) -> bytes:
        """The root of the tree of ``size`` leaves (at most 63 node hashes)."""
        if not self._hashes:
            return EMPTY_ROOT
        return _fold(self._hashes)

    def copy(self) -> CompactRange:
        return CompactRange(self._size, self._hashes)

    # -- serialisation ---------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """8-byte big-endian size followed by the frontier hashes, largest subtree first."""
        return self._size.to_bytes(8, "big") + b"".join(self._hashes)

    @classmethod
    def from_bytes(cls, data: bytes) -> CompactRange:
        if len(data) < 8 or (len(data) - 8) % HASH_SIZE:
            raise MerkleError(
                f"a serialised frontier is 8 bytes of size and whole {HASH_SIZE}-byte hashes; "
                f"got {len(data)} bytes"
            )
        size = int.from_bytes(data[:8], "big")
        body = data[8:]
        return cls(size, [body[i : i + HASH_SIZE] for i in range(0, len(body), HASH_SIZE)])

    def to_hex(self) -> list[str]:
        """The frontier hashes as lower-case hex, largest subtree first (size kept apart)."""
        return [value.hex() for value in self._hashes]

    @classmethod
    def from_hex(cls, size: int, hashes: Iterable[str]) -> CompactRange:
        decoded: list[bytes] = []
        for position, text in enumerate(hashes):
            try:
                decoded.append(bytes.fromhex(text))
            except (TypeError, ValueError):
                raise MerkleError(f"frontier hash {position} is not hex: {text!r}") from None
        return cls(size, decoded)

    @classmethod
    def from_node_source(cls, size: int, get_node: NodeSource) -> CompactRange:
        """Rebuild the frontier of ``size`` leaves from stored nodes (popcount(size) reads)."""
        return cls(size, [get_node(level, index) for level, index in perfect_subtrees(0, size)])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CompactRange):
            return NotImplemented
        return self._size == other._size and self._hashes == other._hashes

    def __hash__(self) -> int:
        return hash((self._size, tuple(self._hashes)))

    def __repr__(self) -> str:
        return f"CompactRange(size={self._size}, root={self.root().hex()})"


def _check_hash(value: object, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise MerkleError(f"{what} must be {HASH_SIZE} bytes; got {value!r}")


# -- proof generation ----------------------------------------------------------------------


def _perfect(start: int, width: int, get_node: NodeSource) -> bytes:
    """The stored root of the perfect subtree of ``width`` (a power of two) from ``start``."""
    level = width.bit_length() - 1
    return get_node(level, start >> level)


def inclusion_proof(index: int, size: int, get_node: NodeSource) -> list[bytes]:
    """``PATH(index, D[size])`` of RFC 9162 §2.1.3.1, from at most ``2·log2(size)`` nodes.

    The path lists sibling hashes from the leaf up to the root.
    """
    if not 0 <= index < size:
        raise MerkleError(f"leaf index {index} is not in a tree of {size} leaves")
    siblings: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        mid = lo + largest_power_of_two_below(hi - lo)
        if index < mid:
            # The right part [mid, hi) is incomplete at most once: after this step the
            # range [lo, mid) is a perfect subtree and so are all later siblings.
            siblings.append(subtree_root(mid, hi, get_node))
            hi = mid
        else:
            siblings.append(_perfect(lo, mid - lo, get_node))
            lo = mid
    siblings.reverse()
    return siblings


def consistency_proof(old_size: int, new_size: int, get_node: NodeSource) -> list[bytes]:
    """``PROOF(old_size, D[new_size])`` of RFC 9162 §2.1.4.1.

    The RFC defines it for ``0 < old_size < new_size``; for ``old_size == 0`` (the empty tree
    is a prefix of every tree) and ``old_size == new_size`` the proof is empty.
    """
    if not 0 <= old_size <= new_size:
        raise MerkleError(
            f"no consistency proof from {old_size} to {new_size} leaves: "
            "need 0 <= old size <= new size"
        )
    if old_size in (0, new_size):
        return []
    # SUBPROOF(m, D[lo:hi], complete), unrolled: the sibling hashes are collected on the way
    # down and the RFC lists them bottom up.
    proof: list[bytes] = []
    lo, hi, m, complete = 0, new_size, old_size, True
    while m != hi - lo:
        k = largest_power_of_two_below(hi - lo)
        if m <= k:
            proof.append(subtree_root(lo + k, hi, get_node))
            hi = lo + k
        else:
            proof.append(_perfect(lo, k, get_node))
            lo += k
            m -= k
            complete = False
    if not complete:
        # [lo, hi) is a perfect subtree: m reaches the range's width only after a step
        # left (steps right keep m below it unless old_size == new_size), and every range
        # below a step left is perfect. So this costs one stored node.
        proof.append(subtree_root(lo, hi, get_node))
    proof.reverse()
    return proof


# -- verification --------------------------------------------------------------------------


def _is_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_TREE_SIZE


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def _hash_list(proof: Any) -> list[bytes] | None:
    """The proof as a list of 32-byte hashes, or ``None`` if it is anything else."""
    if isinstance(proof, (bytes, bytearray, str)):
        return None
    try:
        hashes = list(proof)
    except TypeError:
        return None
    if len(hashes) > 2 * 64 or not all(_is_hash(value) for value in hashes):
        return None
    return hashes


def root_from_inclusion_proof(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes | None:
    """The root that ``proof`` leads to from ``leaf`` at ``index`` in a tree of ``size``
    leaves (RFC 9162 §2.1.3.2), or ``None`` if the proof cannot be one for that position."""
    if not (_is_size(index) and _is_size(size) and _is_hash(leaf)):
        return None
    path = _hash_list(proof)
    if path is None or index >= size:
        return None
    fn, sn = index, size - 1
    result = leaf
    for sibling in path:
        if sn == 0:
            return None  # the path is longer than the tree is deep
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            # Skip the levels where this node is a right edge with no sibling.
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        return None  # the path is shorter than the tree is deep
    return result


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows the leaf hash ``leaf`` at ``index`` in the tree of ``size``
    leaves whose root is ``root``. Never raises."""
    computed = root_from_inclusion_proof(leaf, index, size, proof)
    return computed is not None and _is_hash(root) and hmac.compare_digest(computed, root)


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the tree ``(old_size, old_root)`` is a prefix of the tree
    ``(new_size, new_root)`` (RFC 9162 §2.1.4.2). Never raises.

    Edge cases the RFC leaves out: equal sizes need equal roots and an empty proof; the
    empty tree (``old_size == 0``) needs :data:`EMPTY_ROOT` and an empty proof.
    """
    if not (_is_size(old_size) and _is_size(new_size) and old_size <= new_size):
        return False
    if not (_is_hash(old_root) and _is_hash(new_root)):
        return False
    path = _hash_list(proof)
    if path is None:
        return False
    if old_size == 0:
        return not path and hmac.compare_digest(old_root, EMPTY_ROOT)
    if old_size == new_size:
        return not path and hmac.compare_digest(old_root, new_root)
    if not path:
        return False
    if old_size & (old_size - 1) == 0:
        # The old tree is a perfect subtree of the new one: its root starts the path.
        path.insert(0, old_root)
    roots = _roots_from_consistency_path(old_size, new_size, path)
    return roots is not None and (
        hmac.compare_digest(roots[0], old_root) and hmac.compare_digest(roots[1], new_root)
    )


def _roots_from_consistency_path(
    old_size: int, new_size: int, path: list[bytes]
) -> tuple[bytes, bytes] | None:
    """The old and the new root that a non-empty consistency path implies (RFC 9162
    §2.1.4.2, steps 3-6), or None when the path is too long for the sizes."""
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return (fr, sr) if sn == 0 else None
