"""What the log holds: one RFC 8785 canonical JSON object per entry, derived from stored rows.

An entry can always be derived again from the row it stands for, which is how `verify_log`
names a row that was changed after it was logged. These functions read only stored fields, so
the back-fill migration's historical models can use them too.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import rfc8785

# tlog-tiles entry bundles prefix each entry with a big-endian uint16 length.
MAX_ENTRY_BYTES = 0xFFFF
DEMO_SOURCE = "demo"
# RFC 8785 serialises integers as IEEE doubles: exact only up to this.
SAFE_INTEGER = 2**53 - 1


class EntryTooLarge(ValueError):
    pass


def timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def flat(value) -> bool:
    """A value whose standard-library JSON is already RFC 8785's: text, a boolean, null, an
    integer a double holds exactly."""
    return (
        value is None
        or type(value) in (str, bool)
        or (type(value) is int and -SAFE_INTEGER <= value <= SAFE_INTEGER)
    )


def canonical(entry: dict) -> bytes:
    """The entry's bytes (RFC 8785); refused when a bundle could not hold them.

    The site's entries are flat objects with ASCII keys, for which sorted, compact standard
    JSON is byte for byte RFC 8785 (proved against `rfc8785` on generated entries in
    tests/transparency/test_appending.py) at a fifth of its cost, which an ingest of thousands
    of events feels. Anything else, and text that is not Unicode, goes through `rfc8785`.
    """
    try:
        if all(key.isascii() and flat(value) for key, value in entry.items()):
            data = json.dumps(
                entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False
            ).encode()
        else:
            data = rfc8785.dumps(entry)
    except UnicodeEncodeError:  # a lone surrogate: refused, as `rfc8785` refuses it
        data = rfc8785.dumps(entry)
    if len(data) > MAX_ENTRY_BYTES:
        raise EntryTooLarge(f"a log entry is at most {MAX_ENTRY_BYTES} bytes, not {len(data)}")
    return data


def snapshot_entry(snapshot) -> dict:
    return {
        "kind": "snapshot",
        "sha256": snapshot.sha256,
        "previous_sha256": snapshot.previous_sha256,
        "generated_at": timestamp(snapshot.generated_at),
        "ingested_at": timestamp(snapshot.ingested_at),
        "source": snapshot.source,
        "signature_verified": snapshot.signature_verified,
    }


def event_fields(event, snapshot) -> dict:
    """An audit event as /api/metrics/audit.json serves it, before its `log_index`."""
    return {
        "id": event.event_id,
        "at": timestamp(event.at),
        "service": event.service,
        "decision": event.decision,
        "rule": event.rule or None,
        "tenant": event.tenant,
        "detail": event.detail or None,
        "snapshot_sha256": snapshot.sha256,
        "demo": snapshot.source == DEMO_SOURCE,
    }


def event_entry(event, snapshot) -> dict:
    return {"kind": "audit_event", **event_fields(event, snapshot)}
