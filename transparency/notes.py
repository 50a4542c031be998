"""Signed notes (c2sp.org/signed-note) with Ed25519, as Go's sumdb/note package writes them.

Keys: a signer is `PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>`, its verifier
`<name>+<hash>+<base64(0x01 || public key)>`, where <hash> is the first four bytes of
SHA-256(<name> "\n" 0x01 <public key>) in hex. Witness cosignatures (c2sp.org/tlog-cosignature)
use key type 0x04 and sign "cosignature/v1\ntime <t>\n" followed by the checkpoint.
The Ed25519 arithmetic is the `cryptography` library's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
DASH = "\u2014"  # the em dash every signature line starts with


class BadKey(ValueError):
    pass


def key_hash(name: str, key_type: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + public).digest()[:4]


def valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BadKey("not standard base64") from None


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Verifier:
    """A verifier key: a name, a key hash and an Ed25519 public key of one key type."""

    name: str
    key_type: int
    public: bytes

    @classmethod
    def parse(cls, text: str) -> Verifier:
        parts = text.strip().split("+", 2)  # base64 may hold "+" too
        if len(parts) != 3 or not valid_name(parts[0]):
            raise BadKey("a verifier key is <name>+<hash>+<base64 key>")
        name, hash_hex, encoded = parts
        raw = b64decode(encoded)
        if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
            raise BadKey("not an Ed25519 (0x01) or cosignature/v1 (0x04) key")
        verifier = cls(name, raw[0], raw[1:])
        if hash_hex != verifier.id.hex():
            raise BadKey("its hash does not match its name and key")
        return verifier

    @property
    def id(self) -> bytes:
        return key_hash(self.name, self.key_type, self.public)

    def __str__(self) -> str:
        encoded = base64.b64encode(bytes([self.key_type]) + self.public).decode()
        return f"{self.name}+{self.id.hex()}+{encoded}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def verify_cosignature(self, body: str, line: str) -> int | None:
        """The timestamp of a valid cosignature/v1 line by this witness over `body`, or None."""
        signed = signature_of(line, self)
        if signed is None or len(signed) != 72:
            return None
        (timestamp,) = struct.unpack(">Q", signed[:8])
        message = f"cosignature/v1\ntime {timestamp}\n{body}".encode()
        return timestamp if self.verify(message, signed[8:]) else None


@dataclass(frozen=True)
class Signer:
    """The log's private key, as `PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>`."""

    name: str
    private: Ed25519PrivateKey

    @classmethod
    def parse(cls, text: str) -> Signer:
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"] or not valid_name(parts[2]):
            raise BadKey("a signing key is PRIVATE+KEY+<name>+<hash>+<base64 key>")
        raw = b64decode(parts[4])
        if len(raw) != 33 or raw[0] != ED25519:
            raise BadKey("not an Ed25519 signing key")
        signer = cls(parts[2], Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if parts[3] != signer.verifier.id.hex():
            raise BadKey("its hash does not match its name and key")
        return signer

    @classmethod
    def generate(cls, name: str) -> Signer:
        if not valid_name(name):
            raise BadKey("a key name is non-empty, without spaces or '+'")
        return cls(name, Ed25519PrivateKey.generate())

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.name, ED25519, public_bytes(self.private.public_key()))

    def __str__(self) -> str:
        seed = self.private.private_bytes_raw()
        encoded = base64.b64encode(bytes([ED25519]) + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.id.hex()}+{encoded}"

    def sign(self, body: str) -> str:
        """`body` (ending in a newline) as a signed note with this key's one signature line."""
        signature = self.private.sign(body.encode())
        return f"{body}\n{signature_line(self.name, self.verifier.id + signature)}"


def signature_line(name: str, signed: bytes) -> str:
    return f"{DASH} {name} {base64.b64encode(signed).decode()}\n"


def signature_of(line: str, verifier: Verifier) -> bytes | None:
    """The signature bytes after the key hash in a line `verifier` made, or None."""
    parts = line.rstrip("\n").split(" ")
    if len(parts) != 3 or parts[0] != DASH or parts[1] != verifier.name:
        return None
    try:
        raw = b64decode(parts[2])
    except BadKey:
        return None
    return raw[4:] if raw[:4] == verifier.id else None


def split_note(note: str) -> tuple[str, list[str]]:
    """A signed note's body (with its final newline) and its signature lines."""
    body, _, signatures = note.rpartition("\n\n")
    return body + "\n", [line + "\n" for line in signatures.splitlines()]


def verify_note(note: str, verifier: Verifier) -> str | None:
    """The body of `note` when it carries a valid signature by `verifier`, else None."""
    body, lines = split_note(note)
    for line in lines:
        signed = signature_of(line, verifier)
        if signed is not None and verifier.verify(body.encode(), signed):
            return body
    return None


@dataclass(frozen=True)
class Witness:
    verifier: Verifier
    url: str

    @property
    def name(self) -> str:
        return self.verifier.name

    @property
    def endpoint(self) -> str:
        return self.url.rstrip("/") + "/add-checkpoint"


def parse_witnesses(text: str) -> list[Witness]:
    """WITNESSES: comma-separated "<cosignature/v1 verifier key> <URL prefix>" pairs."""
    found = []
    for pair in filter(None, (part.strip() for part in text.split(","))):
        key, _, url = pair.partition(" ")
        url = url.strip()
        if not url.startswith(("https://", "http://")) or " " in url:
            raise ValueError(f"{pair!r}: a witness is '<verifier key> <https:// URL prefix>'")
        verifier = Verifier.parse(key)
        if verifier.key_type != COSIGNATURE_V1:
            raise ValueError(f"{verifier.name}: a witness key is a cosignature/v1 (0x04) key")
        found.append(Witness(verifier, url))
    return found
