"""The tree over tiles agrees with RFC 9162 written out independently, across tile boundaries."""

from __future__ import annotations

import pytest

from tests.transparency import independent
from transparency.merkle import TILE_WIDTH, TileBuilder, Tree, parse_tile_path, tile_path

LEAVES = [f"entry {n}".encode() for n in range(TILE_WIDTH * TILE_WIDTH + 300)]
# Sizes either side of every boundary a level-0 or level-1 tile has.
SIZES = [1, 2, 3, 7, 255, 256, 257, 511, 512, 513, 1000, 65535, 65536, 65537, len(LEAVES)]


@pytest.fixture(scope="module")
def grown() -> dict[int, Tree]:
    """One log grown append by append through SIZES, with its tiles as stored at each size."""
    tiles: dict[tuple[int, int], bytes] = {}
    trees, size = {}, 0
    for target in SIZES:
        builder = TileBuilder(size, edge_of(tiles, size))
        builder.add(independent.leaf_hash(leaf) for leaf in LEAVES[size:target])
        tiles |= builder.changed
        snapshot = dict(tiles)
        trees[target] = Tree(target, lambda level, index, t=snapshot: t.get((level, index), b""))
        size = target
    return trees


def edge_of(tiles: dict, size: int) -> dict[int, bytes]:
    edge, level = {}, 0
    while (count := size // TILE_WIDTH**level) > 0:
        if count % TILE_WIDTH:
            edge[level] = tiles[(level, count // TILE_WIDTH)]
        level += 1
    return edge


@pytest.mark.parametrize("size", SIZES)
def test_the_root_is_the_merkle_tree_hash_of_every_entry(grown, size):
    assert grown[size].root() == independent.mth(LEAVES[:size])


@pytest.mark.parametrize("size", [3, 257, 1000, 65537])
def test_every_inclusion_proof_is_rfc_9162s_path(grown, size):
    tree = grown[size]
    for index in {0, 1, size // 2, size - 2, size - 1}:
        proof = tree.inclusion_proof(index, size)
        assert proof == independent.path(index, LEAVES[:size])
        assert independent.verify_inclusion(
            index, size, independent.leaf_hash(LEAVES[index]), proof, tree.root()
        )


@pytest.mark.parametrize("old", [1, 2, 255, 256, 300, 65536])
def test_consistency_proofs_between_sizes_are_rfc_9162s(grown, old):
    new = SIZES[-1]
    proof = grown[new].consistency_proof(old, new)
    assert proof == independent.proof(old, LEAVES[:new])
    assert independent.verify_consistency(
        old, new, independent.mth(LEAVES[:old]), grown[new].root(), proof
    )


def test_a_smaller_tree_is_proven_from_the_larger_ones_tiles(grown):
    # A proof for an old size is made from today's tiles, not from tiles of that day.
    assert grown[SIZES[-1]].root(1000) == independent.mth(LEAVES[:1000])
    assert grown[SIZES[-1]].inclusion_proof(5, 1000) == independent.path(5, LEAVES[:1000])


@pytest.mark.parametrize(
    ("index", "path"),
    [(0, "000"), (67, "067"), (999, "999"), (1000, "x001/000"), (1234067, "x001/x234/067")],
)
def test_tile_indexes_are_written_as_tlog_tiles_says(index, path):
    assert tile_path(index) == path
    assert parse_tile_path(path) == index


@pytest.mark.parametrize("path", ["1", "01", "0067", "x000/067", "x1/067", "001/067", "x001", ""])
def test_any_other_spelling_of_an_index_is_not_a_tile_path(path):
    assert parse_tile_path(path) is None
