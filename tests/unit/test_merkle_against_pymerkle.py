"""Cross-check of jcm.domain.transparency.merkle with an independent implementation, pymerkle.

pymerkle's ``InmemoryTree(algorithm="sha256")`` with its default ``disable_security=False``
prefixes leaves with 0x00 and nodes with 0x01 and splits at the largest power of two below
the size, which is RFC 9162's tree. Its leaf indices count from one. Its inclusion path is the
leaf hash followed by the RFC's audit path; its consistency path has another layout than the
RFC's, so consistency proofs are cross-checked by verifying each side's proofs against the
other side's roots.
"""

from __future__ import annotations

import hashlib
import random

import pymerkle  # type: ignore[import-untyped]  # pymerkle ships no type information
import pytest

from jcm.domain.transparency.merkle import (
    EMPTY_ROOT,
    CompactRange,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_at,
    verify_consistency,
    verify_inclusion,
)

SIZE = 5000
rng = random.Random(20240901)
ENTRIES = [rng.randbytes(rng.randint(0, 40)) for _ in range(SIZE)]


class Trees:
    def __init__(self) -> None:
        self.theirs = pymerkle.InmemoryTree(algorithm="sha256")
        self.frontier = CompactRange()
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.roots = [EMPTY_ROOT]
        for entry in ENTRIES:
            self.theirs.append_entry(entry)
            for level, index, value in self.frontier.append(leaf_hash(entry)):
                self.nodes[(level, index)] = value
            self.roots.append(self.frontier.root())

    def get_node(self, level: int, index: int) -> bytes:
        return self.nodes[(level, index)]


@pytest.fixture(scope="module")
def trees() -> Trees:
    return Trees()


def test_pymerkle_in_its_default_mode_hashes_as_rfc_9162() -> None:
    tree = pymerkle.InmemoryTree(algorithm="sha256", disable_security=False)
    tree.append_entry(b"entry")

    assert tree.get_root() == hashlib.sha256(b"\x00entry").digest() == leaf_hash(b"entry")
    tree.append_entry(b"more")
    assert tree.get_root() == node_hash(leaf_hash(b"entry"), leaf_hash(b"more"))


def test_pymerkle_without_security_would_differ_so_the_mode_matters() -> None:
    tree = pymerkle.InmemoryTree(algorithm="sha256", disable_security=True)
    tree.append_entry(b"entry")

    assert tree.get_root() != leaf_hash(b"entry")


def test_the_roots_of_every_size_agree_with_pymerkle(trees: Trees) -> None:
    for size in range(SIZE + 1):
        expected = trees.theirs.get_root(size)
        assert trees.roots[size] == expected, size
        assert root_at(size, trees.get_node) == expected, size


def test_the_leaf_hashes_agree_with_pymerkle(trees: Trees) -> None:
    for index in range(0, SIZE, 7):
        assert trees.theirs.get_leaf(index + 1) == trees.nodes[(0, index)]


def inclusion_cases() -> list[tuple[int, int]]:
    pick = random.Random(1)
    cases = [(index, size) for size in (1, 2, 3, 5, 8, 13, 64, 65, 100) for index in range(size)]
    cases += [(size - 1, size) for size in (SIZE, 2048, 2049, 1023)]
    for _ in range(3000):
        size = pick.randint(1, SIZE)
        cases.append((pick.randrange(size), size))
    return cases


def test_inclusion_proofs_are_pymerkles_audit_paths_and_verify_both_ways(trees: Trees) -> None:
    for index, size in inclusion_cases():
        leaf = trees.nodes[(0, index)]
        root = trees.roots[size]
        theirs = trees.theirs.prove_inclusion(index + 1, size)
        ours = inclusion_proof(index, size, trees.get_node)

        assert theirs.path[0] == leaf
        assert theirs.path[1:] == ours, (index, size)
        assert verify_inclusion(leaf, index, size, theirs.path[1:], root)
        pymerkle.verify_inclusion(leaf, root, theirs, index=index + 1, size=size)


def consistency_cases() -> list[tuple[int, int]]:
    pick = random.Random(2)
    cases = [(old, new) for new in range(1, 20) for old in range(1, new + 1)]
    cases += [(1024, SIZE), (1025, SIZE), (SIZE - 1, SIZE), (1, SIZE), (2047, 2048)]
    for _ in range(3000):
        old, new = sorted((pick.randint(1, SIZE), pick.randint(1, SIZE)))
        cases.append((old, new))
    return cases


def test_consistency_proofs_verify_against_pymerkles_roots_and_pymerkles_against_ours(
    trees: Trees,
) -> None:
    for old, new in consistency_cases():
        old_root, new_root = trees.theirs.get_root(old), trees.theirs.get_root(new)
        ours = consistency_proof(old, new, trees.get_node)
        theirs = trees.theirs.prove_consistency(old, new)

        assert verify_consistency(old, new, old_root, new_root, ours), (old, new)
        pymerkle.verify_consistency(
            trees.roots[old], trees.roots[new], theirs, prior_size=old, later_size=new
        )
        if old < new:
            other_root = trees.roots[new - 1]
            assert not verify_consistency(old, new, old_root, other_root, ours)
