"""RFC 9162 §2.1 written out as the RFC defines it, to check the site's log against.

Nothing here is shared with the site's code: every function follows one numbered paragraph of
RFC 9162 (which keeps RFC 6962's hashing), recursively where the RFC is recursive, so that a
mistake in the site's faster tree code cannot be repeated here. `D` is the list of entries
(bytes) in log order; D[a:b] is a Python slice, as in the RFC.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def leaf_hash(entry: bytes) -> bytes:
    """§2.1.1: the hash of a leaf, SHA-256(0x00 || d)."""
    return sha256(b"\x00" + entry)


def node_hash(left: bytes, right: bytes) -> bytes:
    """§2.1.1: the hash of an interior node, SHA-256(0x01 || left || right)."""
    return sha256(b"\x01" + left + right)


def split_point(n: int) -> int:
    """k, the largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(D: Sequence[bytes]) -> bytes:
    """§2.1.1: the Merkle Tree Hash of the entries D."""
    n = len(D)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaf_hash(D[0])
    k = split_point(n)
    return node_hash(mth(D[:k]), mth(D[k:]))


def path(m: int, D: Sequence[bytes]) -> list[bytes]:
    """§2.1.3.1: PATH(m, D[n]), the inclusion proof of entry m in the tree of D."""
    n = len(D)
    if not 0 <= m < n:
        raise ValueError(f"entry {m} is not in a tree of size {n}")
    if n == 1:
        return []
    k = split_point(n)
    if m < k:
        return [*path(m, D[:k]), mth(D[k:])]
    return [*path(m - k, D[k:]), mth(D[:k])]


def verify_inclusion(
    leaf_index: int, tree_size: int, entry_hash: bytes, inclusion_path: Sequence[bytes],
    root_hash: bytes,
) -> bool:
    """§2.1.3.2: whether `inclusion_path` proves the leaf `entry_hash` at `leaf_index`."""
    if leaf_index >= tree_size or leaf_index < 0:
        return False
    fn, sn = leaf_index, tree_size - 1
    r = entry_hash
    for p in inclusion_path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root_hash


def proof(m: int, D: Sequence[bytes]) -> list[bytes]:
    """§2.1.4.1: PROOF(m, D[n]), the consistency proof of the tree of D[0:m], 0 < m < n."""
    if not 0 < m < len(D):
        raise ValueError(f"RFC 9162 defines consistency proofs for 0 < m < n, not {m}, {len(D)}")
    return subproof(m, D, True)


def subproof(m: int, D: Sequence[bytes], b: bool) -> list[bytes]:
    """§2.1.4.1: SUBPROOF(m, D[n], b)."""
    n = len(D)
    if m == n:
        return [] if b else [mth(D)]
    k = split_point(n)
    if m <= k:
        return [*subproof(m, D[:k], b), mth(D[k:])]
    return [*subproof(m - k, D[k:], False), mth(D[:k])]


def verify_consistency(
    first: int, second: int, first_hash: bytes, second_hash: bytes,
    consistency_path: Sequence[bytes],
) -> bool:
    """§2.1.4.2: whether `consistency_path` proves the tree `first_hash` a prefix of `second_hash`.

    The RFC's algorithm is for 0 < first < second; outside that it answers False, and callers
    decide the trivial cases (equal sizes: equal roots; first = 0: nothing to prove) themselves.
    """
    if not 0 < first < second:
        return False
    # 1. An empty path proves nothing.
    if not consistency_path:
        return False
    path_ = list(consistency_path)
    # 2. A first tree of exactly 2^k leaves is itself a node of the second: its hash starts.
    if first & (first - 1) == 0:
        path_.insert(0, first_hash)
    # 3.
    fn, sn = first - 1, second - 1
    # 4.
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    # 5.
    fr = sr = path_[0]
    # 6.
    for c in path_[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    # 7.
    return fr == first_hash and sr == second_hash and sn == 0
