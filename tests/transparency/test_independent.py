"""The tests' own RFC 9162 implementation agrees with the published vectors and with itself."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.transparency import independent as rfc

# The Certificate Transparency reference tree (transparency-dev/merkle, CT's merkle_tree_test).
LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
)]
ROOTS = [bytes.fromhex(h) for h in (
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]
INCLUSION = [  # (leaf index, tree size, path)
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
CONSISTENCY = [  # (first size, second size, proof)
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def hashes(hexes: list[str]) -> list[bytes]:
    return [bytes.fromhex(h) for h in hexes]


def flipped(proof: list[bytes], i: int) -> list[bytes]:
    return [bytes([p[0] ^ 8, *p[1:]]) if j == i else p for j, p in enumerate(proof)]


def test_tree_heads_are_the_reference_roots_for_every_size():
    for size, root in enumerate(ROOTS):
        assert rfc.mth(LEAVES[:size]) == root, size


@pytest.mark.parametrize(("index", "size", "expected"), INCLUSION)
def test_inclusion_proofs_are_the_reference_paths_and_verify(index, size, expected):
    tree = LEAVES[:size]
    assert rfc.path(index, tree) == hashes(expected)
    assert rfc.verify_inclusion(index, size, rfc.leaf_hash(tree[index]), hashes(expected),
                                ROOTS[size])


@pytest.mark.parametrize(("index", "size", "expected"), INCLUSION)
def test_a_wrong_inclusion_proof_is_refused(index, size, expected):
    """The corruptions transparency-dev/merkle's verifier tests probe, each refused."""
    leaf, root, good = rfc.leaf_hash(LEAVES[index]), ROOTS[size], hashes(expected)
    wrong = [
        (index - 1, size, leaf, good, root), (index + 1, size, leaf, good, root),
        (index ^ 2, size, leaf, good, root), (index, size * 2, leaf, good, root),
        (index, size // 2, leaf, good, root), (index, size, rfc.leaf_hash(b"x"), good, root),
        (index, size, leaf, good, ROOTS[0]), (index, size, leaf, good, SOME_HASH),
        (index, size, leaf, [*good, b""], root), (index, size, leaf, [*good, root], root),
        (index, size, leaf, [b"", *good], root), (index, size, leaf, [root, *good], root),
        (index, size, leaf, good[:-1], root), (index, size, leaf, [good[0], SOME_HASH, *good[1:]],
                                                root),
        *((index, size, leaf, flipped(good, i), root) for i in range(len(good))),
    ]
    for case in wrong:
        assert not rfc.verify_inclusion(*case), case


@pytest.mark.parametrize(("first", "second", "expected"), CONSISTENCY)
def test_consistency_proofs_are_the_reference_proofs_and_verify(first, second, expected):
    assert rfc.proof(first, LEAVES[:second]) == hashes(expected)
    assert rfc.verify_consistency(first, second, ROOTS[first], ROOTS[second], hashes(expected))


@pytest.mark.parametrize(("first", "second", "expected"), CONSISTENCY)
def test_a_wrong_consistency_proof_is_refused(first, second, expected):
    r1, r2, good = ROOTS[first], ROOTS[second], hashes(expected)
    wrong = [
        (first - 1, second, r1, r2, good), (first + 1, second, r1, r2, good),
        (first ^ 2, second, r1, r2, good), (first, second * 2, r1, r2, good),
        (first, second // 2, r1, r2, good), (first, second, SOME_HASH, r2, good),
        (first, second, r1, SOME_HASH, good), (first, second, r2, r1, good),
        (first, second, r1, r2, []), (first, second, r1, r2, [*good, b""]),
        (first, second, r1, r2, [*good, r1]), (first, second, r1, r2, [*good, r2]),
        (first, second, r1, r2, [b"", *good]), (first, second, r1, r2, [r1, *good]),
        (first, second, r1, r2, [r2, *good]), (first, second, r1, r2, [good[0], *good]),
        (first, second, r1, r2, good[:-1]),
        *((first, second, r1, r2, flipped(good, i)) for i in range(len(good))),
    ]
    for case in wrong:
        assert not rfc.verify_consistency(*case), case


def test_proofs_outside_the_rfc_domain_are_not_made():
    with pytest.raises(ValueError, match="not in a tree"):
        rfc.path(3, LEAVES[:3])
    for first, second in ((0, 4), (4, 4), (5, 4)):
        with pytest.raises(ValueError, match="0 < m < n"):
            rfc.proof(first, LEAVES[:second])
        assert not rfc.verify_consistency(first, second, ROOTS[0], ROOTS[4], [SOME_HASH])


# Distinct entries: two equal ones would rightly prove each other's place.
entries = st.lists(st.binary(max_size=8), min_size=1, max_size=140, unique=True)


@settings(max_examples=60, deadline=None)
@given(entries, st.data())
def test_every_entry_is_proven_at_its_index_and_at_no_other(tree, data):
    index = data.draw(st.integers(0, len(tree) - 1))
    root, leaf = rfc.mth(tree), rfc.leaf_hash(tree[index])
    proof = rfc.path(index, tree)
    assert rfc.verify_inclusion(index, len(tree), leaf, proof, root)
    other = data.draw(st.integers(0, len(tree)))
    if other != index:
        assert not rfc.verify_inclusion(other, len(tree), leaf, proof, root)
    assert not rfc.verify_inclusion(index, len(tree), leaf, proof, rfc.mth([*tree, b"more"]))


@settings(max_examples=60, deadline=None)
@given(entries.filter(lambda tree: len(tree) > 1), st.data())
def test_every_prefix_is_proven_consistent_and_a_rewritten_one_is_not(tree, data):
    first = data.draw(st.integers(1, len(tree) - 1))
    proof = rfc.proof(first, tree)
    assert rfc.verify_consistency(first, len(tree), rfc.mth(tree[:first]), rfc.mth(tree), proof)
    changed = data.draw(st.integers(0, first - 1))
    rewritten = [*tree[:changed], tree[changed] + b"!", *tree[changed + 1:first]]
    assert not rfc.verify_consistency(first, len(tree), rfc.mth(rewritten), rfc.mth(tree), proof)
