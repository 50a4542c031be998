#!/usr/bin/env python3
"""Check the Tractatus site's transparency log yourself, with no help from the site.

    python verify.py https://site --key <verifier key> [--event ID | --snapshot SHA256]
                     [--state FILE] [--witness <witness verifier key>]...

It verifies the log's signature on /log/checkpoint with the key you give (a signed-note verifier
key, c2sp.org/signed-note), downloads every tile and entry bundle of the tree that checkpoint
names (c2sp.org/tlog-tiles), hashes every entry and rebuilds every tile and the root from them
(RFC 9162 §2.1). With --event or --snapshot it also checks that the bytes the site serves for
that event or snapshot are exactly what the log holds at the place the site names. With --state
it remembers the checkpoint in FILE and, the next time, proves the log only grew since: the
first entries of the new tree must hash to the root seen before; if they do not, it keeps the
new checkpoint in FILE.fork beside the old one, both signed by the log: proof of the fork. Run
it from cron as a monitor. Each --witness requires that witness's cosignature on the checkpoint
(c2sp.org/tlog-cosignature): a witness cosigns only a tree consistent with every one it saw, so
the site cannot show you a history it did not show the witness.

Exit status: 0 only when everything holds; 1 when something does not (the message says what
and where); 2 for a mistake on the command line. Needs Python 3.9+ and `cryptography`.
This file is served at /log/verify.py and kept in the site's repository as
transparency/verify.py; read it before you trust it.
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import hashlib
import json
import math
import os
import re
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

TILE_WIDTH = 256  # hashes in a full tile (tile height 8), and entries in a full bundle
HASH_SIZE = 32
FETCHERS = 8  # requests at once
BATCH = 1024  # tiles fetched ahead of the one being checked, at most
MAX_BODY = 32 * 2**20  # bytes in one answer, at most: a full entry bundle is under 17 MB
ED25519 = 0x01  # the signed-note signature type of an Ed25519 key
COSIGNATURE_V1 = 0x04  # tlog-cosignature's timestamped Ed25519 cosignatures
KINDS = {ED25519: "signed-note", COSIGNATURE_V1: "tlog-cosignature"}
LOG = "log/"  # the log's tlog-tiles prefix, under the site's base URL
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
DECIMAL = re.compile(r"0|[1-9][0-9]*")


class Failure(Exception):
    """Something that does not hold; the message says what and where."""


class NotFound(Failure):
    """The site answered 404."""


class Fork(Failure):
    """Two checkpoints signed by the log that no one history explains."""


# RFC 9162 §2.1.1 hashing.

def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def perfect_root(hashes: list[bytes]) -> bytes:
    """The root of a complete subtree whose 2^k bottom hashes are `hashes`."""
    while len(hashes) > 1:
        hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
    return hashes[0]


def split_point(n: int) -> int:
    """The largest power of two smaller than n (n > 1), where RFC 9162 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


# RFC 8785 (JSON Canonicalization Scheme), for the JSON the log holds.

def canonical(value) -> str:
    """`value` (as json.loads gives it) in RFC 8785 canonical form."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        # I-JSON (RFC 7493) numbers are IEEE 754 doubles: integers beyond 2^53 are not exact.
        if abs(value) >= 2**53:
            raise Failure(f"the integer {value} is beyond I-JSON's range")
        return str(value)
    if isinstance(value, float):
        return es_number(value)
    if isinstance(value, str):
        return es_string(value)
    if isinstance(value, list):
        return "[" + ",".join(canonical(item) for item in value) + "]"
    if isinstance(value, dict):
        # Properties sorted by their names' UTF-16 code units (RFC 8785 §3.2.3).
        items = sorted(value.items(), key=lambda item: item[0].encode("utf-16-be", "surrogatepass"))
        return "{" + ",".join(f"{es_string(k)}:{canonical(v)}" for k, v in items) + "}"
    raise Failure(f"{type(value).__name__} is not JSON")


ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
           "\r": "\\r"}


def es_string(text: str) -> str:
    """A string as ECMAScript's JSON.stringify writes it (RFC 8785 §3.2.2.2)."""
    if any(0xD800 <= ord(char) <= 0xDFFF for char in text):
        raise Failure("a string holds a lone surrogate, which I-JSON (RFC 7493) forbids")
    return '"' + "".join(
        ESCAPES.get(char) or (f"\\u{ord(char):04x}" if char < " " else char) for char in text
    ) + '"'


def es_number(number: float) -> str:
    """A double as ECMAScript's Number.prototype.toString writes it (RFC 8785 §3.2.2.3)."""
    if math.isnan(number) or math.isinf(number):
        raise Failure("NaN and Infinity are not JSON")
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    # repr() gives the shortest digits that round-trip, as ECMAScript requires.
    mantissa, _, exponent = repr(abs(number)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    fraction = fraction.rstrip("0")
    digits = (whole + fraction).lstrip("0")
    last = int(exponent or 0) - len(fraction)  # the power of ten of the last digit
    stripped = digits.rstrip("0")
    last += len(digits) - len(stripped)
    digits, k = stripped, len(stripped)
    n = k + last  # number = 0.digits × 10^n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        e = n - 1
        text = (digits[0] + ("." + digits[1:] if k > 1 else "")
                + "e" + ("+" if e >= 0 else "-") + str(abs(e)))
    return sign + text


def parse_json(data: bytes, what: str):
    def constant(name):
        raise Failure(f"{what} holds {name}, which is not JSON")

    try:
        return json.loads(data.decode("utf-8"), parse_constant=constant)
    except (UnicodeDecodeError, ValueError) as error:
        raise Failure(f"{what} is not JSON: {error}") from None


# c2sp.org/signed-note and c2sp.org/tlog-checkpoint.

class VerifierKey:
    """A verifier key, <name>+<hex key ID>+<base64(type || Ed25519 public key)>: the log's
    (type 0x01, c2sp.org/signed-note) or a witness's (type 0x04, c2sp.org/tlog-cosignature).
    """

    def __init__(self, text: str, kind: int = ED25519):
        parts = text.strip().split("+", 2)  # base64 may hold "+" too
        if len(parts) != 3:
            raise ValueError("a verifier key is <name>+<key ID>+<base64 key>, as /log/key serves")
        self.name, key_id, material = parts
        if not valid_key_name(self.name):
            raise ValueError(f"{self.name!r} is not a key name (no spaces or '+')")
        if not re.fullmatch(r"[0-9a-fA-F]{8}", key_id):
            raise ValueError("the key ID is not 8 hex digits")
        try:
            material = base64.b64decode(material, validate=True)
        except ValueError:
            raise ValueError("the key is not base64") from None
        if len(material) != 33 or material[0] != kind:
            raise ValueError(f"the key is not an Ed25519 {KINDS[kind]} key (type 0x{kind:02x}, "
                             "32 bytes)")
        self.key_id = hashlib.sha256(self.name.encode() + b"\n" + material).digest()[:4]
        if self.key_id != bytes.fromhex(key_id):
            raise ValueError("the key ID does not match the key's name and public key")
        self.public = Ed25519PublicKey.from_public_bytes(material[1:])

    def __str__(self) -> str:
        return f"{self.name}+{self.key_id.hex()}"


def valid_key_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(char.isspace() for char in name)


class SignedNote:
    """A signed note's text and signature lines (c2sp.org/signed-note), none trusted yet."""

    def __init__(self, note: bytes):
        try:
            message = note.decode("utf-8")
        except UnicodeDecodeError:
            raise Failure("the checkpoint is not UTF-8") from None
        if any(char < " " and char != "\n" for char in message):
            raise Failure("the checkpoint holds control characters")
        split = message.rfind("\n\n")
        if split < 0 or not message.endswith("\n"):
            raise Failure("the checkpoint is not a signed note (no blank line before signatures)")
        self.text = message[: split + 1]
        self.signatures: list[tuple[str, bytes]] = []
        for line in message[split + 2 : -1].split("\n"):
            name, _, encoded = line.removeprefix("— ").partition(" ")
            try:
                signature = base64.b64decode(encoded, validate=True)
            except ValueError:
                signature = b""
            if not line.startswith("— ") or not valid_key_name(name) or len(signature) < 5:
                raise Failure(f"the checkpoint has a malformed signature line: {line!r}")
            self.signatures.append((name, signature))

    def by(self, key: VerifierKey) -> list[bytes]:
        """The signatures (after their key ID) of `key`: other keys' are ignored, as they must."""
        return [signature[4:] for name, signature in self.signatures
                if name == key.name and signature[:4] == key.key_id]

    def open(self, key: VerifierKey) -> str:
        """The note's text, once `key`'s signature on it verifies."""
        signatures = self.by(key)
        if not signatures:
            raise Failure(f"the checkpoint carries no signature by {key}")
        for signature in signatures:
            try:
                key.public.verify(signature, self.text.encode())
            except InvalidSignature:
                raise Failure(f"the checkpoint's signature by {key} does not verify: the "
                              "checkpoint was altered or not signed by this key") from None
        return self.text

    def cosigned_at(self, witness: VerifierKey) -> int:
        """When `witness` cosigned the checkpoint (tlog-cosignature/v1), once that verifies."""
        signatures = self.by(witness)
        if not signatures:
            raise Failure(f"the checkpoint carries no cosignature by witness {witness}")
        for signature in signatures:
            timestamp = int.from_bytes(signature[:8], "big")
            message = f"cosignature/v1\ntime {timestamp}\n{self.text}".encode()
            try:
                witness.public.verify(signature[8:], message)
            except InvalidSignature:
                raise Failure(f"the cosignature by witness {witness} does not verify") from None
        return timestamp


class Checkpoint:
    """A checkpoint's origin, size and root hash (c2sp.org/tlog-checkpoint)."""

    def __init__(self, text: str, origin: str):
        lines = text.split("\n")[:-1]
        if len(lines) < 3:
            raise Failure("the checkpoint has fewer than three lines (origin, size, root)")
        self.origin, size, root = lines[:3]
        if self.origin != origin:
            raise Failure(f"the checkpoint is for log {self.origin!r}, the key for {origin!r}")
        if not DECIMAL.fullmatch(size):
            raise Failure(f"the checkpoint's tree size {size!r} is not a decimal number")
        self.size = int(size)
        try:
            self.root = base64.b64decode(root, validate=True)
        except ValueError:
            self.root = b""
        if len(self.root) != HASH_SIZE:
            raise Failure(f"the checkpoint's root hash {root!r} is not a base64 SHA-256 hash")


# c2sp.org/tlog-tiles.

def tile_path(level: int | str, index: int, width: int) -> str:
    """tile/<L>/<N>[.p/<W>], N written as x001/x234/067."""
    name = f"{index % 1000:03d}"
    index //= 1000
    while index:
        name = f"x{index % 1000:03d}/{name}"
        index //= 1000
    return f"tile/{level}/{name}" + (f".p/{width}" if width < TILE_WIDTH else "")


def tile_count(hashes: int) -> int:
    """How many tiles (the last one maybe partial) hold a level of `hashes` hashes."""
    return -(-hashes // TILE_WIDTH)


def parse_bundle(data: bytes, where: str) -> list[bytes]:
    """An entry bundle's entries: each a big-endian uint16 length, then that many bytes."""
    entries, offset = [], 0
    while offset < len(data):
        if offset + 2 > len(data):
            raise Failure(f"{where} ends inside an entry's length")
        length = int.from_bytes(data[offset : offset + 2], "big")
        entry = data[offset + 2 : offset + 2 + length]
        if len(entry) != length:
            raise Failure(f"{where} ends inside entry {len(entries)}")
        entries.append(entry)
        offset += 2 + length
    return entries


class Site:
    """The site's HTTP interface: GET, gzip allowed, every error a Failure naming the URL."""

    def __init__(self, base: str, timeout: float):
        self.base = base.rstrip("/") + "/"
        self.timeout = timeout

    def url(self, path: str) -> str:
        return urllib.parse.urljoin(self.base, path)

    def get(self, path: str) -> bytes:
        url = self.url(path)
        # The scheme is http(s): arguments() refuses any other base URL.
        request = urllib.request.Request(  # noqa: S310
            url, headers={"Accept-Encoding": "gzip, identity", "User-Agent": "tractatus-verify"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read(MAX_BODY + 1)
                if response.headers.get("Content-Encoding") == "gzip":
                    inflate = zlib.decompressobj(wbits=31)  # the gzip format
                    body = inflate.decompress(body, MAX_BODY + 1)
                    if len(body) <= MAX_BODY and not inflate.eof:
                        raise Failure(f"{url} answered with a truncated gzip stream")
        except urllib.error.HTTPError as error:
            failure = NotFound if error.code == 404 else Failure
            raise failure(f"{url} answered {error.code} {error.reason}") from None
        except (urllib.error.URLError, OSError, EOFError, zlib.error) as error:
            raise Failure(f"could not fetch {url}: {getattr(error, 'reason', error)}") from None
        if len(body) > MAX_BODY:
            raise Failure(f"{url} answered more than {MAX_BODY:,} bytes, more than any part of "
                          "a log holds")
        return body

    def tile(self, level: int | str, index: int, width: int) -> tuple[bytes, bool]:
        """A tile or bundle, and whether it is the full one, fetched because the partial one
        of `width` is gone (tlog-tiles lets a log delete partial tiles once the full one exists).
        """
        try:
            return self.get(LOG + tile_path(level, index, width)), False
        except NotFound:
            if width == TILE_WIDTH:
                raise
            return self.get(LOG + tile_path(level, index, TILE_WIDTH)), True


class Tree:
    """Every entry and tile of the tree of `size` entries, fetched, hashed and checked.

    hashes[l] holds, 32 bytes each, the hash of every complete block of 256^l entries: level 0
    the leaf hashes, level l the hashes the level-l tiles must serve.
    """

    def __init__(self, site: Site, size: int, wanted: set[int]):
        self.site, self.size = site, size
        self.entries: dict[int, bytes] = {}  # the entries at the `wanted` indexes
        self.hashes = [self.level_zero(wanted)]
        level = 1
        while self.size // TILE_WIDTH**level:
            self.hashes.append(self.level_above(level))
            level += 1

    @staticmethod
    def each_tile(check, count: int):
        """check(index, width) for each tile of a level of `count` hashes, in order, FETCHERS
        at a time and BATCH tiles ahead at most, so a log of millions stays in bounded memory.
        """
        tiles = tile_count(count)
        with concurrent.futures.ThreadPoolExecutor(FETCHERS) as pool:
            for first in range(0, tiles, BATCH):
                yield from pool.map(
                    lambda index: check(index, min(TILE_WIDTH, count - index * TILE_WIDTH)),
                    range(first, min(tiles, first + BATCH)),
                )

    def level_zero(self, wanted: set[int]) -> bytearray:
        """The leaf hashes, each entry checked against its level-0 tile."""
        hashes = bytearray()
        for index, (tile, entries) in enumerate(self.each_tile(self.entry_tile, self.size)):
            hashes += tile
            self.entries |= {i: entries[i % TILE_WIDTH] for i in wanted
                             if i // TILE_WIDTH == index}
        return hashes

    def entry_tile(self, index: int, width: int) -> tuple[bytes, list[bytes]]:
        bundle, full = self.site.tile("entries", index, width)
        bundle_path = tile_path("entries", index, TILE_WIDTH if full else width)
        entries = parse_bundle(bundle, bundle_path)
        if full:
            entries = entries[:width]
        if len(entries) != width:
            raise Failure(f"{bundle_path} holds {len(entries)} entries; the checkpoint needs "
                          f"{width}")
        first = index * TILE_WIDTH
        for offset, entry in enumerate(entries):
            check_entry(entry, f"entry {first + offset} (in {bundle_path})")
        computed = b"".join(leaf_hash(entry) for entry in entries)
        self.compare(0, index, width, computed, "the hashes of its entries")
        return computed, entries

    def level_above(self, level: int) -> bytearray:
        """Level `level`'s hashes, computed from the level below and checked against its tiles."""
        below = self.hashes[level - 1]
        computed = bytearray()
        for start in range(0, len(below) // HASH_SIZE // TILE_WIDTH * TILE_WIDTH, TILE_WIDTH):
            tile = below[start * HASH_SIZE : (start + TILE_WIDTH) * HASH_SIZE]
            computed += perfect_root(
                [tile[i : i + HASH_SIZE] for i in range(0, len(tile), HASH_SIZE)]
            )
        for _ in self.each_tile(
            lambda index, width: self.compare(
                level, index, width,
                computed[index * TILE_WIDTH * HASH_SIZE : (index * TILE_WIDTH + width) * HASH_SIZE],
                f"the level-{level - 1} tiles below it",
            ),
            len(computed) // HASH_SIZE,
        ):
            pass
        return computed

    def compare(self, level: int, index: int, width: int, computed: bytes, source: str) -> None:
        served, full = self.site.tile(level, index, width)
        path = tile_path(level, index, TILE_WIDTH if full else width)
        if full:
            served = served[: width * HASH_SIZE]
        if served == computed:
            return
        if len(served) != len(computed):
            raise Failure(f"{path} holds {len(served)} bytes, not {width} hashes")
        bad = next(i for i in range(width) if served[i * HASH_SIZE :][:HASH_SIZE]
                   != computed[i * HASH_SIZE :][:HASH_SIZE])
        raise Failure(f"{path}: hash {bad} does not match {source} (it covers entries "
                      f"from {(index * TILE_WIDTH + bad) * TILE_WIDTH**level})")

    @property
    def checked(self) -> int:
        """How many tiles and entry bundles were checked."""
        return tile_count(self.size) + sum(tile_count(len(level) // HASH_SIZE)
                                           for level in self.hashes)

    def hash_at(self, level: int, index: int) -> bytes:
        return bytes(self.hashes[level][index * HASH_SIZE : (index + 1) * HASH_SIZE])

    def tree_hash(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) of RFC 9162 §2.1.1, from the checked hashes."""
        n = end - start
        if n == 0:
            return hashlib.sha256(b"").digest()
        if n & (n - 1) == 0 and start % n == 0:
            level = (n.bit_length() - 1) // 8
            span = TILE_WIDTH**level
            return perfect_root([self.hash_at(level, i) for i in range(start // span, end // span)])
        k = split_point(n)
        return node_hash(self.tree_hash(start, start + k), self.tree_hash(start + k, end))


def check_entry(entry: bytes, where: str) -> None:
    """Each entry is one JSON object in RFC 8785 canonical form, with its kind."""
    value = parse_json(entry, where)
    if not isinstance(value, dict) or not isinstance(value.get("kind"), str):
        raise Failure(f"{where} is not a JSON object with a kind")
    if canonical(value).encode() != entry:
        raise Failure(f"{where} is not in RFC 8785 canonical form")


# What the site serves for one event or snapshot, and what the log must hold for it.

class Claim:
    """A log index the site names, and what the entry there must be."""

    def __init__(self, index, what: str, source: str):
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            raise Failure(f"{source} gives no log_index for {what}")
        self.index, self.what, self.source = index, what, source

    def check(self, entry: bytes) -> str:
        raise NotImplementedError


class EventClaim(Claim):
    """An event's entry is the JSON the site serves for it, without log_index, plus its kind."""

    def __init__(self, site: Site, event_id: str):
        path = f"api/metrics/audit/{urllib.parse.quote(event_id, safe='')}.json"
        served = parse_json(site.get(path), site.url(path))
        if not isinstance(served, dict) or served.get("id") != event_id:
            raise Failure(f"{site.url(path)} is not the JSON of event {event_id!r}")
        super().__init__(served.pop("log_index", None), f"event {event_id!r}", site.url(path))
        self.expected = {**served, "kind": "audit_event"}

    def check(self, entry: bytes) -> str:
        logged = parse_json(entry, f"entry {self.index}")
        if canonical(self.expected).encode() != entry:
            fields = sorted(
                name for name in {*self.expected, *logged}
                if self.expected.get(name, ...) != logged.get(name, ...)
            )
            raise Failure(
                f"{self.what}: what {self.source} serves does not match log entry {self.index}"
                + (f" (fields differ: {', '.join(fields)})" if fields else " (not canonical)")
            )
        return f"{self.what} is entry {self.index}, exactly as {self.source} serves it"


class SnapshotClaim(Claim):
    """A snapshot's entry names the SHA-256 of the raw bytes the site serves for it."""

    def __init__(self, site: Site, sha256: str):
        lookup = f"api/log/lookup?snapshot={sha256}"
        found = parse_json(site.get(lookup), site.url(lookup))
        what = f"snapshot {sha256}"
        super().__init__(found.get("log_index") if isinstance(found, dict) else None, what,
                         site.url(lookup))
        latest_path = "api/metrics/latest.json"
        latest = parse_json(site.get(latest_path), site.url(latest_path))
        if isinstance(latest, dict) and latest.get("sha256") == sha256 \
                and latest.get("log_index") != self.index:
            raise Failure(f"{what}: latest.json gives log_index {latest.get('log_index')}, "
                          f"{self.source} gives {self.index}")
        raw_path = f"api/metrics/snapshots/{sha256}.json"
        served = hashlib.sha256(site.get(raw_path)).hexdigest()
        if served != sha256:
            raise Failure(f"{what}: the bytes {site.url(raw_path)} serves hash to {served}")
        self.sha256, self.raw_url = sha256, site.url(raw_path)

    def check(self, entry: bytes) -> str:
        logged = parse_json(entry, f"entry {self.index}")
        if logged.get("kind") != "snapshot" or logged.get("sha256") != self.sha256:
            raise Failure(f"{self.what}: log entry {self.index} is not this snapshot's "
                          f"(its kind is {logged.get('kind')})")
        return f"{self.what} is entry {self.index}, and {self.raw_url} serves exactly its bytes"


# --state: what the last run saw.

def read_state(path: str) -> dict | None:
    try:
        with open(path, encoding="utf-8") as file:
            state = json.load(file)
        state["root"] = base64.b64decode(state["root"], validate=True)
        if not isinstance(state["origin"], str) or not isinstance(state["size"], int):
            raise TypeError
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError):
        raise Failure(f"{path} is not a state file this script wrote") from None
    return state


def write_state(path: str, checkpoint: Checkpoint, note: bytes) -> None:
    """The new state, replacing the old one only once it is completely written."""
    state = {"origin": checkpoint.origin, "size": checkpoint.size,
             "root": base64.b64encode(checkpoint.root).decode(), "checkpoint": note.decode()}
    folder = os.path.dirname(os.path.abspath(path))
    with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, encoding="utf-8") as file:
        json.dump(state, file, indent=1)
    os.replace(file.name, path)


def check_consistency(state: dict, checkpoint: Checkpoint, tree: Tree, path: str) -> str:
    old_size, old_root = state["size"], state["root"]
    seen = (f"the checkpoint seen before (size {old_size}, root "
            f"{base64.b64encode(old_root).decode()}, in {path})")
    if state["origin"] != checkpoint.origin:
        raise Failure(f"{path} is the state of log {state['origin']!r}, not {checkpoint.origin!r}")
    if checkpoint.size < old_size:
        raise Fork(f"the log shrank: it has {checkpoint.size} entries, {seen} had {old_size}")
    if tree.tree_hash(0, old_size) != old_root:
        raise Fork(f"the log was rewritten: its first {old_size} entries no longer hash to "
                   f"the root of {seen}; the two checkpoints are inconsistent")
    return f"consistent with {seen}"


def verify(args: argparse.Namespace) -> list[str]:
    """Every check, in order; the lines to report when all hold."""
    site = Site(args.url, args.timeout)
    # The claim first, so that the checkpoint fetched after it is at least as new.
    claim = (EventClaim(site, args.event) if args.event
             else SnapshotClaim(site, args.snapshot) if args.snapshot else None)
    note = site.get(LOG + "checkpoint")
    signed = SignedNote(note)
    checkpoint = Checkpoint(signed.open(args.key), args.key.name)
    report = [f"checkpoint: {checkpoint.origin}, {checkpoint.size} entries, root "
              f"{base64.b64encode(checkpoint.root).decode()}, signed by {args.key}"]
    for witness in args.witness:
        at = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(signed.cosigned_at(witness)))
        report.append(f"checkpoint cosigned by witness {witness} at {at}")
    if claim and claim.index >= checkpoint.size:
        raise Failure(f"{claim.source} places {claim.what} at log index {claim.index}, but the "
                      f"checkpoint's tree has {checkpoint.size} entries")
    tree = Tree(site, checkpoint.size, {claim.index} if claim else set())
    if tree.tree_hash(0, checkpoint.size) != checkpoint.root:
        raise Failure("the tiles and entries hash to a root other than the checkpoint's")
    report.append(f"log: all {checkpoint.size} entries and {tree.checked} tiles and bundles "
                  "hash to the checkpoint's root")
    if claim:
        report.append(claim.check(tree.entries[claim.index]))
    if args.state:
        state = read_state(args.state)
        if state is not None:
            try:
                report.append(check_consistency(state, checkpoint, tree, args.state))
            except Fork as fork:
                # Both checkpoints carry the log's signature: together they prove the fork.
                evidence = args.state + ".fork"
                with open(evidence, "wb") as file:
                    file.write(note)
                raise Fork(f"{fork}. Evidence: the new checkpoint is saved in {evidence}, "
                           f"the old one stays in {args.state}") from None
        write_state(args.state, checkpoint, note)
        report.append(f"state: {args.state} now holds this checkpoint")
    return report


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Verify the Tractatus site's transparency log from its tiles.",
    )
    parser.add_argument("url", help="the site's base URL, e.g. https://tractatus.example")
    parser.add_argument("--key", required=True, help="the log's verifier key, as /log/key serves")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--event", metavar="ID", help="also prove this audit event is logged")
    target.add_argument("--snapshot", metavar="SHA256", help="also prove this snapshot is logged")
    parser.add_argument("--state", metavar="FILE",
                        help="prove the log consistent with the checkpoint saved here; save it")
    parser.add_argument("--witness", metavar="VKEY", action="append", default=[],
                        help="require this witness's cosignature on the checkpoint (repeatable)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds per request")
    args = parser.parse_args(argv)
    if urllib.parse.urlsplit(args.url).scheme not in ("http", "https"):
        parser.error("the URL must start with https:// (or http://)")
    try:
        args.key = VerifierKey(args.key)
    except ValueError as error:
        parser.error(f"--key: {error}")
    try:
        args.witness = [VerifierKey(vkey, COSIGNATURE_V1) for vkey in args.witness]
    except ValueError as error:
        parser.error(f"--witness: {error}")
    if args.snapshot is not None and not SHA256_HEX.fullmatch(args.snapshot):
        parser.error("--snapshot: name a snapshot by the 64 lowercase hex digits of its SHA-256")
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    try:
        report = verify(args)
    except Failure as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    print("\n".join(f"ok  {line}" for line in report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
