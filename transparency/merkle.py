"""RFC 9162 Merkle trees over C2SP tlog-tiles: hashes, tile coordinates, roots and proofs.

Hashes follow RFC 9162 §2.1.1 (SHA-256; leaves 0x00, nodes 0x01). Tiles follow
c2sp.org/tlog-tiles: height 8, so a tile at level L holds up to 256 hashes, each the root of a
complete subtree of 256**L leaves. Every hash a root or proof needs is the root of a few
consecutive hashes of one stored tile, which is why reading any of them costs a handful of
rows, however large the log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

HASH_SIZE = 32
TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
EMPTY_ROOT = hashlib.sha256(b"").digest()

# (level, index) -> the tile's hashes as stored (up to TILE_WIDTH * HASH_SIZE bytes)
TileReader = Callable[[int, int], bytes]


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def largest_power_of_two_below(n: int) -> int:
    """k of RFC 9162 §2.1.1: the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(hashes: list[bytes]) -> bytes:
    """MTH of a run of subtree hashes of equal size (leaf hashes for a list of leaves)."""
    if not hashes:
        return EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = largest_power_of_two_below(len(hashes))
    return node_hash(root_of(hashes[:k]), root_of(hashes[k:]))


def split_hashes(data: bytes) -> list[bytes]:
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def tile_path(index: int) -> str:
    """An index as tlog-tiles writes it: 1234067 is x001/x234/067."""
    digits = f"{index:03d}"
    digits = digits.zfill(-(-len(digits) // 3) * 3)
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*(f"x{g}" for g in groups[:-1]), groups[-1]])


def parse_tile_path(path: str) -> int | None:
    """The index written as `path` (the exact form tile_path gives), or None."""
    parts = path.split("/")
    if not all(len(p) == 4 and p[0] == "x" and p[1:].isdigit() for p in parts[:-1]):
        return None
    last = parts[-1]
    if len(last) != 3 or not last.isdigit():
        return None
    index = int("".join(p[1:] for p in parts[:-1]) + last)
    return index if tile_path(index) == path else None


class Tree:
    """A log of `size` leaves whose hashes are read from tiles through `read_tile`."""

    def __init__(self, size: int, read_tile: TileReader):
        self.size = size
        self._read = read_tile
        self._tiles: dict[tuple[int, int], bytes] = {}

    def tile(self, level: int, index: int) -> bytes:
        key = (level, index)
        if key not in self._tiles:
            self._tiles[key] = self._read(level, index)
        return self._tiles[key]

    @staticmethod
    def locate(start: int, width: int) -> tuple[int, int, int, int]:
        """Where the complete subtree of `width` (a power of two) leaves from `start` is
        stored: (level, tile index, offset in the tile, how many of its hashes)."""
        level, height = 0, width.bit_length() - 1
        while height >= TILE_HEIGHT:
            level, height = level + 1, height - TILE_HEIGHT
        first = start // TILE_WIDTH**level  # a level-`level` hash covers 256**level leaves
        return level, first // TILE_WIDTH, first % TILE_WIDTH, 1 << height

    def subtree(self, start: int, width: int) -> bytes:
        """The hash of the complete subtree of `width` (a power of two) leaves from `start`."""
        level, index, offset, count = self.locate(start, width)
        tile = self.tile(level, index)
        hashes = split_hashes(tile[offset * HASH_SIZE : (offset + count) * HASH_SIZE])
        if len(hashes) != count:
            raise LookupError(f"tile {level}/{index} is missing hashes")
        return root_of(hashes)

    def hash(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) for a range a proof or root names (RFC 9162 §2.1.1)."""
        n = end - start
        if n == 0:
            return EMPTY_ROOT
        if n & (n - 1) == 0 and start % n == 0:
            return self.subtree(start, n)
        k = largest_power_of_two_below(n)
        return node_hash(self.hash(start, start + k), self.hash(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        return self.hash(0, self.size if size is None else size)

    def leaf(self, index: int) -> bytes:
        return self.subtree(index, 1)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1."""
        if not 0 <= index < size <= self.size:
            raise ValueError("need 0 <= index < size <= the log's size")
        return self._path(index, 0, size)

    def _path(self, m: int, start: int, end: int) -> list[bytes]:
        n = end - start
        if n == 1:
            return []
        k = largest_power_of_two_below(n)
        if m < k:
            return [*self._path(m, start, start + k), self.hash(start + k, end)]
        return [*self._path(m - k, start + k, end), self.hash(start, start + k)]

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        """PROOF(old, D[0:new]) of RFC 9162 §2.1.4.1 (empty when old is 0 or equals new)."""
        if not 0 <= old <= new <= self.size:
            raise ValueError("need 0 <= from <= to <= the log's size")
        if old in (0, new):
            return []
        return self._subproof(old, 0, new, True)

    def _subproof(self, m: int, start: int, end: int, complete: bool) -> list[bytes]:
        n = end - start
        if m == n:
            return [] if complete else [self.hash(start, end)]
        k = largest_power_of_two_below(n)
        if m <= k:
            return [*self._subproof(m, start, start + k, complete), self.hash(start + k, end)]
        return [*self._subproof(m - k, start + k, end, False), self.hash(start, start + k)]


class TileFinder(Tree):
    """A tree that hashes nothing and notes which tiles a root or proof would read.

    Which tiles those read depends only on sizes and indexes, never on the hashes.
    """

    def __init__(self, size: int):
        super().__init__(size, lambda level, index: b"")
        self.wanted: set[tuple[int, int]] = set()

    def subtree(self, start: int, width: int) -> bytes:
        self.wanted.add(self.locate(start, width)[:2])
        return EMPTY_ROOT


class TileBuilder:
    """Appends leaf hashes to the right edge of a tiled tree, level by level.

    `edge` holds the rightmost (incomplete) tile of each level as loaded; `changed` collects
    every tile written, so the caller stores them in one go.
    """

    def __init__(self, size: int, edge: dict[int, bytes]):
        self.size = size
        self.edge = dict(edge)
        self.changed: dict[tuple[int, int], bytes] = {}

    def add(self, leaf_hashes: Iterable[bytes]) -> None:
        for hashed in leaf_hashes:
            self._push(0, self.size, hashed)
            self.size += 1

    def _push(self, level: int, leaf: int, hashed: bytes) -> None:
        # `leaf` is a leaf under this hash (the one just added), so its position at `level` is:
        position = leaf // TILE_WIDTH**level
        index = position // TILE_WIDTH
        data = self.edge.get(level, b"") + hashed
        self.changed[(level, index)] = data
        if len(data) == TILE_WIDTH * HASH_SIZE:
            self.edge[level] = b""
            self._push(level + 1, leaf, root_of(split_hashes(data)))  # under it, too
        else:
            self.edge[level] = data
