"""Signed-note keys for the tests: the log's (c2sp.org/signed-note), witnesses' (tlog-cosignature).

Written from the specifications for the tests alone, so that the site's and verify.py's note code
is checked against something they do not share.
"""

from __future__ import annotations

import base64
import hashlib
import struct

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01  # signed-note Ed25519 signatures
COSIGNATURE_V1 = 0x04  # tlog-cosignature timestamped Ed25519 cosignatures


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def key_id(name: str, kind: int, public: bytes) -> bytes:
    """SHA-256(key name || 0x0A || signature type || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public).digest()[:4]


class NoteKey:
    """An Ed25519 signer of notes: the log's key (type 0x01) or a witness's (type 0x04)."""

    def __init__(self, name: str, kind: int = ED25519, private: Ed25519PrivateKey | None = None):
        self.name, self.kind = name, kind
        self.private = private or Ed25519PrivateKey.generate()
        self.public = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.id = key_id(name, kind, self.public)

    @property
    def vkey(self) -> str:
        """The verifier key: <name>+<hex key ID>+<base64(type || public key)>."""
        return f"{self.name}+{self.id.hex()}+{b64(bytes([self.kind]) + self.public)}"

    @property
    def skey(self) -> str:
        """The private key as Go's sumdb/note writes it: PRIVATE+KEY+<name>+<id>+<base64>."""
        seed = self.private.private_bytes_raw()
        return f"PRIVATE+KEY+{self.name}+{self.id.hex()}+{b64(bytes([self.kind]) + seed)}"

    def sign(self, text: str) -> str:
        """The note signature line of `text` (which ends in a newline)."""
        return f"— {self.name} {b64(self.id + self.private.sign(text.encode()))}\n"

    def cosign(self, text: str, timestamp: int) -> str:
        """A tlog-cosignature/v1 line on the checkpoint body `text`, made at `timestamp`."""
        message = f"cosignature/v1\ntime {timestamp}\n{text}".encode()
        signed = struct.pack(">Q", timestamp) + self.private.sign(message)
        return f"— {self.name} {b64(self.id + signed)}\n"


def signed_note(text: str, *signers: NoteKey) -> bytes:
    return (text + "\n" + "".join(signer.sign(text) for signer in signers)).encode()


def checkpoint_text(origin: str, size: int, root: bytes) -> str:
    """A tlog-checkpoint body: origin, tree size, base64 root hash."""
    return f"{origin}\n{size}\n{b64(root)}\n"


class Verifier:
    """Checks notes for one trusted key, given as a verifier key."""

    def __init__(self, vkey: str):
        self.name, hex_id, material = vkey.split("+", 2)
        raw = base64.b64decode(material, validate=True)
        if raw[0] != ED25519 or len(raw) != 33 or key_id(self.name, ED25519, raw[1:]).hex() \
                != hex_id:
            raise ValueError(f"not an Ed25519 verifier key: {vkey}")
        self.id = bytes.fromhex(hex_id)
        self.public = Ed25519PublicKey.from_public_bytes(raw[1:])

    def open(self, note: bytes) -> str | None:
        """The note's text if it carries a good signature by this key; None otherwise.

        Per signed-note, other keys' signatures are ignored and a bad one by this key rejects
        the note. Malformed notes raise ValueError.
        """
        message = note.decode()
        if any(char < " " and char != "\n" for char in message):
            raise ValueError("control characters in a note")
        split = message.rindex("\n\n")
        text, lines = message[: split + 1], message[split + 2 :].splitlines()
        good = False
        for line in lines:
            if not line.startswith("— "):
                raise ValueError(f"not a signature line: {line!r}")
            name, encoded = line[2:].split(" ")
            signature = base64.b64decode(encoded, validate=True)
            if name != self.name or signature[:4] != self.id:
                continue
            try:
                self.public.verify(signature[4:], text.encode())
            except InvalidSignature:
                return None
            good = True
        return text if good else None
