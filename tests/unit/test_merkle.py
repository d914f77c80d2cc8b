"""The RFC 9162 Merkle tree: roots, frontier, proofs from stored perfect subtrees, verifiers.

Expected values are built here by hand from ``leaf_hash``/``node_hash`` following the RFC's
split (``k`` = largest power of two below ``n``), or from a direct transcription of the RFC's
recursive definitions over the list of leaves (``reference_path``/``reference_proof``), which
the store-based generation in the module does not use.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jcm.domain.transparency.merkle import (
    EMPTY_ROOT,
    CompactRange,
    MerkleError,
    consistency_proof,
    inclusion_proof,
    largest_power_of_two_below,
    leaf_hash,
    node_hash,
    perfect_subtrees,
    root_at,
    root_from_inclusion_proof,
    root_from_leaves,
    subtree_root,
    verify_consistency,
    verify_inclusion,
)

H = node_hash


def leaves_of(n: int, salt: bytes = b"") -> list[bytes]:
    return [leaf_hash(salt + i.to_bytes(4, "big")) for i in range(n)]


L = leaves_of(8)


class Store:
    """An in-memory node store fed by CompactRange.append, counting reads."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.frontier = CompactRange()
        self.reads = 0
        for leaf in leaves:
            for level, index, value in self.frontier.append(leaf):
                self.nodes[(level, index)] = value

    def get_node(self, level: int, index: int) -> bytes:
        self.reads += 1
        return self.nodes[(level, index)]


# -- the RFC's definitions, transcribed over a list of leaf hashes --------------------------


def mth(d: Sequence[bytes]) -> bytes:
    if not d:
        return EMPTY_ROOT
    if len(d) == 1:
        return d[0]
    k = largest_power_of_two_below(len(d))
    return H(mth(d[:k]), mth(d[k:]))


def reference_path(m: int, d: Sequence[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = largest_power_of_two_below(len(d))
    if m < k:
        return [*reference_path(m, d[:k]), mth(d[k:])]
    return [*reference_path(m - k, d[k:]), mth(d[:k])]


def reference_subproof(m: int, d: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if complete else [mth(d)]
    k = largest_power_of_two_below(n)
    if m <= k:
        return [*reference_subproof(m, d[:k], complete), mth(d[k:])]
    return [*reference_subproof(m - k, d[k:], False), mth(d[:k])]


def reference_proof(m: int, d: Sequence[bytes]) -> list[bytes]:
    return reference_subproof(m, d, True)


# -- hashing and roots ----------------------------------------------------------------------


def test_leaf_and_node_hashes_use_the_rfc_domain_separation_prefixes() -> None:
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert (
        node_hash(b"l" * 32, b"r" * 32) == hashlib.sha256(b"\x01" + b"l" * 32 + b"r" * 32).digest()
    )
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


HAND_ROOTS: dict[int, bytes] = {
    1: L[0],
    2: H(L[0], L[1]),
    3: H(H(L[0], L[1]), L[2]),
    4: H(H(L[0], L[1]), H(L[2], L[3])),
    5: H(H(H(L[0], L[1]), H(L[2], L[3])), L[4]),
    6: H(H(H(L[0], L[1]), H(L[2], L[3])), H(L[4], L[5])),
    7: H(H(H(L[0], L[1]), H(L[2], L[3])), H(H(L[4], L[5]), L[6])),
    8: H(H(H(L[0], L[1]), H(L[2], L[3])), H(H(L[4], L[5]), H(L[6], L[7]))),
}


@pytest.mark.parametrize("size", sorted(HAND_ROOTS))
def test_every_way_to_compute_a_root_gives_the_hand_built_tree(size: int) -> None:
    store = Store(L[:size])

    assert root_from_leaves(L[:size]) == HAND_ROOTS[size]
    assert store.frontier.root() == HAND_ROOTS[size]
    assert root_at(size, store.get_node) == HAND_ROOTS[size]


def test_the_empty_tree_has_the_hash_of_the_empty_string_as_root() -> None:
    assert root_from_leaves([]) == EMPTY_ROOT
    assert CompactRange().root() == EMPTY_ROOT
    assert root_at(0, Store([]).get_node) == EMPTY_ROOT


# The reference tree of the Certificate Transparency test suites (RFC 6962 hashing, which
# RFC 9162 keeps): eight entries and the roots of each prefix.
CT_ENTRIES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_the_certificate_transparency_reference_roots_are_reproduced() -> None:
    frontier = CompactRange()
    for entry, expected in zip(CT_ENTRIES, CT_ROOTS, strict=True):
        frontier.append(leaf_hash(entry))
        assert frontier.root().hex() == expected


def test_the_certificate_transparency_reference_inclusion_proof_of_leaf_0_is_reproduced() -> None:
    store = Store([leaf_hash(entry) for entry in CT_ENTRIES])

    assert [h.hex() for h in inclusion_proof(0, 8, store.get_node)] == [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]


# -- the RFC's own example tree of seven leaves ---------------------------------------------
#
#             hash                 a..f = leaf hashes of d0..d5, j = leaf hash of d6
#            /    \                g = H(a, b), h = H(c, d), i = H(e, f)
#           k      l               k = H(g, h), l = H(i, j)
#          / \    / \
#         g   h  i   j
#        / \ / \ / \
#        a b c d e f

a, b, c, d, e, f, j = L[:7]
g, h, i = H(a, b), H(c, d), H(e, f)
k, lh = H(g, h), H(i, j)


@pytest.mark.parametrize(
    ("index", "expected"),
    [(0, [b, h, lh]), (3, [c, g, lh]), (4, [f, j, k]), (6, [i, k])],
)
def test_the_audit_paths_of_the_rfc_example_tree_are_the_documented_ones(
    index: int, expected: list[bytes]
) -> None:
    store = Store(L[:7])

    assert inclusion_proof(index, 7, store.get_node) == expected
    assert verify_inclusion(L[index], index, 7, expected, H(k, lh))


@pytest.mark.parametrize(
    ("old_size", "expected"),
    [(3, [c, d, g, lh]), (4, [lh]), (6, [i, j, k])],
)
def test_the_consistency_proofs_of_the_rfc_example_tree_are_the_documented_ones(
    old_size: int, expected: list[bytes]
) -> None:
    store = Store(L[:7])
    old_root = HAND_ROOTS[old_size]

    assert consistency_proof(old_size, 7, store.get_node) == expected
    assert verify_consistency(old_size, 7, old_root, H(k, lh), expected)


# -- proofs for every position of small trees -----------------------------------------------

SMALL_AND_ODD_SIZES = [*range(1, 9), 11, 13, 17, 31, 33, 100]


@pytest.mark.parametrize("size", SMALL_AND_ODD_SIZES)
def test_inclusion_proofs_for_every_leaf_match_the_rfc_definition_and_verify(size: int) -> None:
    leaves = leaves_of(size)
    store = Store(leaves)
    root = mth(leaves)

    for index in range(size):
        proof = inclusion_proof(index, size, store.get_node)
        assert proof == reference_path(index, leaves)
        assert verify_inclusion(leaves[index], index, size, proof, root)
        assert root_from_inclusion_proof(leaves[index], index, size, proof) == root


@pytest.mark.parametrize("new_size", range(1, 9))
def test_consistency_proofs_for_every_older_size_match_the_rfc_definition_and_verify(
    new_size: int,
) -> None:
    store = Store(L[:new_size])

    for old_size in range(1, new_size + 1):
        proof = consistency_proof(old_size, new_size, store.get_node)
        assert proof == reference_proof(old_size, L[:new_size])
        assert verify_consistency(
            old_size, new_size, HAND_ROOTS[old_size], HAND_ROOTS[new_size], proof
        )


def test_consistency_with_the_same_size_or_the_empty_tree_needs_an_empty_proof() -> None:
    store = Store(L)

    assert consistency_proof(8, 8, store.get_node) == []
    assert consistency_proof(0, 8, store.get_node) == []
    assert verify_consistency(8, 8, HAND_ROOTS[8], HAND_ROOTS[8], [])
    assert verify_consistency(0, 8, EMPTY_ROOT, HAND_ROOTS[8], [])
    assert not verify_consistency(8, 8, HAND_ROOTS[8], HAND_ROOTS[7], [])
    assert not verify_consistency(8, 8, HAND_ROOTS[8], HAND_ROOTS[8], [L[0]])
    assert not verify_consistency(0, 8, HAND_ROOTS[1], HAND_ROOTS[8], [])


# -- verification rejects tampering ---------------------------------------------------------


def flipped(value: bytes) -> bytes:
    return bytes([value[0] ^ 1]) + value[1:]


@pytest.mark.parametrize("size", SMALL_AND_ODD_SIZES)
def test_inclusion_verification_rejects_tampered_proofs_roots_indices_and_path_shapes(
    size: int,
) -> None:
    leaves = leaves_of(size)
    store = Store(leaves)
    root = mth(leaves)

    for index in range(size):
        proof = inclusion_proof(index, size, store.get_node)
        assert not verify_inclusion(flipped(leaves[index]), index, size, proof, root)
        assert not verify_inclusion(leaves[index], index, size, proof, flipped(root))
        for position in range(len(proof)):
            tampered = [*proof[:position], flipped(proof[position]), *proof[position + 1 :]]
            assert not verify_inclusion(leaves[index], index, size, tampered, root)
        assert not verify_inclusion(
            leaves[index], index, size, [*proof, proof[0] if proof else root], root
        )
        if proof:
            assert not verify_inclusion(leaves[index], index, size, proof[:-1], root)
        for other in range(size):
            if other != index:
                assert not verify_inclusion(leaves[index], other, size, proof, root)
        # A size whose path has another shape is refused (sizes with the same shape for this
        # index are told apart by the root, which a checkpoint signs together with the size).
        for other_size in range(max(1, size - 4), size + 5):
            if len(reference_path(index, leaves_of(other_size))) != len(proof):
                assert not verify_inclusion(leaves[index], index, other_size, proof, root)


@pytest.mark.parametrize("new_size", range(2, 9))
def test_consistency_verification_rejects_tampered_proofs_roots_and_sizes(
    new_size: int,
) -> None:
    store = Store(L[:new_size])

    for old_size in range(1, new_size):
        old_root, new_root = HAND_ROOTS[old_size], HAND_ROOTS[new_size]
        proof = consistency_proof(old_size, new_size, store.get_node)
        assert not verify_consistency(old_size, new_size, flipped(old_root), new_root, proof)
        assert not verify_consistency(old_size, new_size, old_root, flipped(new_root), proof)
        assert not verify_consistency(old_size, new_size, new_root, old_root, proof)
        for position in range(len(proof)):
            tampered = [*proof[:position], flipped(proof[position]), *proof[position + 1 :]]
            assert not verify_consistency(old_size, new_size, old_root, new_root, tampered)
        assert not verify_consistency(old_size, new_size, old_root, new_root, proof[:-1])
        assert not verify_consistency(old_size, new_size, old_root, new_root, [*proof, L[0]])
        assert not verify_consistency(old_size, new_size, old_root, new_root, [])
        for other_old in range(1, new_size):
            if other_old != old_size:
                assert not verify_consistency(other_old, new_size, old_root, new_root, proof)
        for other_new in range(old_size + 1, new_size + 5):
            if len(reference_proof(old_size, leaves_of(other_new))) != len(proof):
                assert not verify_consistency(old_size, other_new, old_root, new_root, proof)


GOOD = leaf_hash(b"x")
MALFORMED_INCLUSION: list[tuple[object, object, object, object, object]] = [
    (GOOD, 0, 0, [], GOOD),  # size 0
    (GOOD, 1, 1, [], GOOD),  # index == size
    (GOOD, 5, 3, [], GOOD),  # index > size
    (GOOD, -1, 3, [GOOD, GOOD], GOOD),  # negative index
    (GOOD, 0, -1, [], GOOD),  # negative size
    (GOOD, 0, 2**64, [GOOD] * 64, GOOD),  # size above uint64
    (GOOD, True, 2, [GOOD], GOOD),  # bool is not an index
    (GOOD, 0, 2, None, GOOD),  # no proof at all
    (GOOD, 0, 2, GOOD, GOOD),  # bytes instead of a list of hashes
    (GOOD, 0, 2, "ab", GOOD),  # text instead of a list of hashes
    (GOOD, 0, 2, [b"short"], GOOD),  # proof hash of the wrong length
    (GOOD, 0, 2, [GOOD.hex()], GOOD),  # hex text in the proof
    (GOOD, 0, 2, [GOOD] * 200, GOOD),  # absurdly long proof
    (b"short", 0, 1, [], b"short"),  # leaf of the wrong length
    (GOOD, 0, 1, [], "root"),  # root that is not bytes
    ("leaf", 0, 1, [], GOOD),  # leaf that is not bytes
    (GOOD, 0.0, 1, [], GOOD),  # float index
]


@pytest.mark.parametrize(("leaf", "index", "size", "proof", "root"), MALFORMED_INCLUSION)
def test_inclusion_verification_returns_false_on_malformed_input_instead_of_raising(
    leaf: bytes, index: int, size: int, proof: list[bytes], root: bytes
) -> None:
    assert verify_inclusion(leaf, index, size, proof, root) is False


MALFORMED_CONSISTENCY: list[tuple[object, object, object, object, object]] = [
    (3, 2, GOOD, GOOD, [GOOD]),  # old size above new size
    (-1, 2, GOOD, GOOD, [GOOD]),  # negative size
    (1, 2**64, GOOD, GOOD, [GOOD]),  # size above uint64
    (1, 2, GOOD, GOOD, []),  # empty proof for different sizes
    (1, 2, GOOD, GOOD, None),
    (1, 2, GOOD, GOOD, GOOD),
    (1, 2, GOOD, GOOD, [b"short"]),
    (1, 2, b"short", GOOD, [GOOD]),
    (1, 2, GOOD, None, [GOOD]),
    (1, 2, GOOD, GOOD, [GOOD] * 200),
    (1.0, 2, GOOD, GOOD, [GOOD]),
    (False, 2, EMPTY_ROOT, GOOD, []),
]


@pytest.mark.parametrize(("old", "new", "old_root", "new_root", "proof"), MALFORMED_CONSISTENCY)
def test_consistency_verification_returns_false_on_malformed_input_instead_of_raising(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes]
) -> None:
    assert verify_consistency(old, new, old_root, new_root, proof) is False


def test_proof_generation_refuses_positions_outside_the_tree() -> None:
    store = Store(L)

    with pytest.raises(MerkleError, match="leaf index 8 is not in a tree of 8 leaves"):
        inclusion_proof(8, 8, store.get_node)
    with pytest.raises(MerkleError, match="leaf index -1"):
        inclusion_proof(-1, 8, store.get_node)
    with pytest.raises(MerkleError, match="from 5 to 4 leaves"):
        consistency_proof(5, 4, store.get_node)


def test_a_missing_stored_node_surfaces_as_the_stores_own_error() -> None:
    store = Store(L[:4])

    with pytest.raises(KeyError):
        inclusion_proof(0, 8, store.get_node)


# -- perfect subtrees and the frontier ------------------------------------------------------


def test_a_range_decomposes_into_its_perfect_subtrees_largest_first() -> None:
    assert perfect_subtrees(0, 13) == [(3, 0), (2, 2), (0, 12)]
    assert perfect_subtrees(8, 14) == [(2, 2), (1, 6)]
    assert perfect_subtrees(5, 5) == []
    with pytest.raises(MerkleError, match="not a multiple of 4"):
        perfect_subtrees(2, 8)
    with pytest.raises(MerkleError, match="not a range"):
        perfect_subtrees(4, 3)


def test_subtree_root_of_a_right_part_equals_the_mth_of_its_leaves() -> None:
    leaves = leaves_of(100)
    store = Store(leaves)

    assert subtree_root(64, 100, store.get_node) == mth(leaves[64:100])
    assert subtree_root(96, 100, store.get_node) == mth(leaves[96:100])
    assert store.reads == 2 + 1


@pytest.mark.parametrize("size", [1, 2, 3, 7, 8, 9, 64, 100, 255, 256, 257])
def test_append_returns_exactly_every_perfect_subtree_once_with_its_hash(size: int) -> None:
    leaves = leaves_of(size)
    frontier = CompactRange()
    returned: list[tuple[int, int, bytes]] = []
    for index, leaf in enumerate(leaves):
        completed = frontier.append(leaf)
        trailing_ones = (~index & (index + 1)).bit_length() - 1
        assert completed[0] == (0, index, leaf)
        assert [level for level, _, _ in completed] == list(range(trailing_ones + 1))
        returned.extend(completed)

    expected = {
        (level, index) for level in range(size.bit_length()) for index in range(size >> level)
    }
    assert len(returned) == len(expected)
    assert {(level, index) for level, index, _ in returned} == expected
    for level, index, value in returned:
        assert value == mth(leaves[index << level : (index + 1) << level])


@settings(deadline=None)
@given(size=st.integers(min_value=0, max_value=1000), salt=st.binary(max_size=4))
def test_the_frontier_root_equals_the_rfc_root_for_any_size(size: int, salt: bytes) -> None:
    leaves = leaves_of(size, salt)
    frontier = CompactRange()
    frontier.extend(leaves)

    assert frontier.size == size
    assert len(frontier.hashes) == size.bit_count()
    assert frontier.root() == root_from_leaves(leaves)


def test_the_frontier_root_is_right_after_every_single_append() -> None:
    leaves = leaves_of(300)
    frontier = CompactRange()
    for size, leaf in enumerate(leaves, start=1):
        frontier.append(leaf)
        assert frontier.root() == mth(leaves[:size])


@pytest.mark.parametrize("size", [0, 1, 6, 255, 1000])
def test_a_frontier_survives_serialisation_to_bytes_hex_and_the_node_store(size: int) -> None:
    leaves = leaves_of(size + 5)
    store = Store(leaves[:size])
    frontier = store.frontier

    for restored in (
        CompactRange.from_bytes(frontier.to_bytes()),
        CompactRange.from_hex(frontier.size, frontier.to_hex()),
        CompactRange.from_node_source(size, store.get_node),
    ):
        assert restored == frontier
        assert restored.root() == frontier.root()
        restored.extend(leaves[size:])
        assert restored.root() == mth(leaves)


def test_the_frontier_nodes_name_their_level_and_index() -> None:
    frontier = Store(L[:7]).frontier

    assert frontier.nodes() == [(2, 0, HAND_ROOTS[4]), (1, 2, H(L[4], L[5])), (0, 6, L[6])]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: CompactRange(3, [GOOD]), "has 2 frontier hashes; got 1"),
        (lambda: CompactRange(1, [b"short"]), "must be 32 bytes"),
        (lambda: CompactRange(-1, []), "integer in"),
        (lambda: CompactRange.from_bytes(b"\x00" * 7), "got 7 bytes"),
        (lambda: CompactRange.from_bytes(b"\x00" * 8 + GOOD), "has 0 frontier hashes; got 1"),
        (lambda: CompactRange.from_hex(1, ["zz"]), "not hex"),
        (lambda: CompactRange().append(b"short"), "leaf hash must be 32 bytes"),
    ],
)
def test_a_frontier_of_the_wrong_shape_is_refused(
    build: Callable[[], object], message: str
) -> None:
    with pytest.raises(MerkleError, match=message):
        build()


# -- cost: O(log n) stored nodes per proof --------------------------------------------------


@pytest.fixture(scope="module")
def big_store() -> Store:
    return Store(leaves_of(100_000, b"big"))


def bound(n: int) -> float:
    return 2 * math.log2(n) + 2


def test_inclusion_proofs_read_at_most_two_log_n_plus_two_nodes(big_store: Store) -> None:
    rng = random.Random(9162)
    sizes = [1, 2, 3, 1000, 4096, 4097, 65535, 65536, 65537, 99_999, 100_000]
    sizes += [rng.randint(1, 100_000) for _ in range(30)]
    for size in sizes:
        root = big_store.frontier.root() if size == 100_000 else None
        for index in {0, size // 2, size - 1, rng.randrange(size)}:
            big_store.reads = 0
            proof = inclusion_proof(index, size, big_store.get_node)
            assert big_store.reads <= bound(size), (size, index, big_store.reads)
            if root is not None:
                leaf = big_store.nodes[(0, index)]
                assert verify_inclusion(leaf, index, size, proof, root)


def test_consistency_proofs_read_at_most_two_log_n_plus_two_nodes(big_store: Store) -> None:
    rng = random.Random(6962)
    pairs = [(1, 100_000), (65536, 100_000), (65537, 100_000), (99_999, 100_000), (3, 7)]
    for _ in range(40):
        x, y = rng.randint(1, 100_000), rng.randint(1, 100_000)
        pairs.append((min(x, y), max(x, y)))
    for old_size, new_size in pairs:
        big_store.reads = 0
        proof = consistency_proof(old_size, new_size, big_store.get_node)
        assert big_store.reads <= bound(new_size), (old_size, new_size, big_store.reads)
        old_root = root_at(old_size, big_store.get_node)
        new_root = root_at(new_size, big_store.get_node)
        assert verify_consistency(old_size, new_size, old_root, new_root, proof)


def test_largest_power_of_two_below_is_strictly_below() -> None:
    assert [largest_power_of_two_below(n) for n in (2, 3, 4, 5, 8, 9)] == [1, 2, 2, 4, 4, 8]
    with pytest.raises(MerkleError):
        largest_power_of_two_below(1)
