"""The tree over tiles agrees with RFC 9162 written out independently, across tile boundaries."""

from __future__ import annotations

import pytest

from tests.transparency import independent
from transparency.merkle import (
    TILE_WIDTH,
    TileBuilder,
    TileFinder,
    Tree,
    leaf_hash,
    parse_tile_path,
    tile_path,
)

LEAVES = [f"entry {n}".encode() for n in range(TILE_WIDTH * TILE_WIDTH + 300)]
# Sizes either side of every boundary a level-0 or level-1 tile has.
SIZES = [1, 2, 3, 7, 255, 256, 257, 511, 512, 513, 1000, 65535, 65536, 65537, len(LEAVES)]


@pytest.fixture(scope="module")
def grown() -> dict[int, Tree]:
    return grow()


def grow() -> dict[int, Tree]:
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


def test_tiles_written_append_by_append_hold_every_hash_in_its_place():
    # Grows its own log, not the module's: what a test builds is what mutation testing ties to it.
    trees = grow()
    for size in (255, 256, 257, 65535, 65536, 65537):
        assert trees[size].root() == independent.mth(LEAVES[:size])
    # Every hash of level 1's first tile, the last one written as it filled at 65,536 entries.
    assert trees[65537].inclusion_proof(0, 65537)[-2] == independent.mth(LEAVES[32768:65536])


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
    "entry", [b"", b"entry 0", bytes(range(256))], ids=["empty", "text", "every-byte"]
)
def test_an_entry_is_hashed_as_rfc_9162_hashes_a_leaf(entry):
    assert leaf_hash(entry) == independent.leaf_hash(entry)


def test_each_leaf_is_the_hash_of_its_entry(grown):
    tree = grown[SIZES[-1]]
    for index in (0, 1, 255, 256, 65536, SIZES[-1] - 1):
        assert tree.leaf(index) == independent.leaf_hash(LEAVES[index])


@pytest.mark.parametrize(
    "compute",
    [
        lambda tree: tree.root(),
        lambda tree: tree.root(1000),
        lambda tree: tree.inclusion_proof(300, tree.size),
        lambda tree: tree.inclusion_proof(5, 1000),
        lambda tree: tree.consistency_proof(256, tree.size),
        lambda tree: tree.consistency_proof(300, 65537),
    ],
)
def test_the_tile_finder_names_exactly_the_tiles_a_root_or_proof_reads(grown, compute):
    size = SIZES[-1]
    read = set()

    def read_tile(level: int, index: int) -> bytes:
        read.add((level, index))
        return grown[size].tile(level, index)

    reading = Tree(size, read_tile)
    assert compute(reading) == compute(grown[size])
    finder = TileFinder(size)
    compute(finder)
    assert finder.wanted == read
    assert finder.size == size


@pytest.mark.parametrize(("size", "tile"), [(256, (1, 0)), (512, (1, 0)), (65536, (2, 0))])
def test_a_complete_subtree_of_256_to_the_l_leaves_is_one_hash_of_a_level_l_tile(size, tile):
    finder = TileFinder(size)
    finder.root()
    assert finder.wanted == {tile}


@pytest.mark.parametrize(("old", "new"), [(0, 0), (0, 1000), (1000, 1000), (65537, 65537)])
def test_a_consistency_proof_from_nothing_or_to_the_same_size_is_empty(grown, old, new):
    assert grown[SIZES[-1]].consistency_proof(old, new) == []


@pytest.mark.parametrize(("old", "new"), [(-1, 3), (4, 3), (0, SIZES[-1] + 1), (1, SIZES[-1] + 1)])
def test_a_consistency_proof_outside_the_log_is_refused(grown, old, new):
    with pytest.raises(ValueError, match="from <= to"):
        grown[SIZES[-1]].consistency_proof(old, new)


@pytest.mark.parametrize(("index", "size"), [(-1, 3), (3, 3), (0, 0), (0, SIZES[-1] + 1)])
def test_an_inclusion_proof_of_no_entry_of_the_tree_is_refused(grown, index, size):
    with pytest.raises(ValueError, match="index < size"):
        grown[SIZES[-1]].inclusion_proof(index, size)


@pytest.mark.parametrize(
    ("index", "path"),
    [(0, "000"), (67, "067"), (999, "999"), (1000, "x001/000"), (1234067, "x001/x234/067")],
)
def test_tile_indexes_are_written_as_tlog_tiles_says(index, path):
    assert tile_path(index) == path
    assert parse_tile_path(path) == index


@pytest.mark.parametrize(
    "path",
    [
        "1", "01", "0067", "x000/067", "x1/067", "001/067", "x001", "",
        "xa23/067", "x001/xa23/067", "y123/067", "x001/0a7",
    ],
)
def test_any_other_spelling_of_an_index_is_not_a_tile_path(path):
    assert parse_tile_path(path) is None
