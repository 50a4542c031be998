"""Ed25519 signatures of the feed (`X-Metrics-Signature: ed25519=<base64>`), via cryptography."""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings

HEADER_PREFIX = "ed25519="
SIGNATURE_BYTES = 64


class BadSignature(ValueError):
    """The signature is missing or does not verify; the message is the public reason."""


def from_header(value: str) -> str:
    """The base64 part of an `ed25519=<base64>` header value ("" when there was none)."""
    value = value.strip()
    if value.startswith(HEADER_PREFIX):
        return value.removeprefix(HEADER_PREFIX)
    # Kept as sent, so a malformed header reads as an invalid signature, not a missing one.
    return value


def decode(signature: str) -> bytes | None:
    """The 64 signature bytes from standard base64, or None when it is not that."""
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == SIGNATURE_BYTES else None


def public_key() -> Ed25519PublicKey | None:
    """The partner's key from METRICS_PUBLIC_KEY (checked at start-up), or None if unset."""
    if not settings.METRICS_PUBLIC_KEY:
        return None
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(settings.METRICS_PUBLIC_KEY))


def check(payload: bytes, signature: str) -> bool:
    """Whether `signature` verifies `payload`; raises BadSignature when a key requires one.

    Without a configured key nothing is required and nothing is claimed (False).
    """
    key = public_key()
    if key is None:
        return False
    if not signature:
        raise BadSignature("signature missing")
    raw = decode(signature)
    if raw is None:
        raise BadSignature("signature invalid: not 64 bytes of standard base64")
    try:
        key.verify(raw, payload)
    except InvalidSignature as error:
        raise BadSignature("signature invalid: it does not match the payload") from error
    return True


def verdict(payload: bytes, signature: str) -> str:
    """What `check` makes of the signature, in words; raises BadSignature as it does."""
    if check(payload, signature):
        return "signature verified with METRICS_PUBLIC_KEY"
    sent = "one was sent, but " if signature else ""
    return f"signature not checked: {sent}METRICS_PUBLIC_KEY is not set here"
