"""What the log holds: one RFC 8785 canonical JSON object per entry, derived from stored rows.

An entry can always be derived again from the row it stands for, which is how `verify_log`
names a row that was changed after it was logged. These functions read only stored fields, so
the back-fill migration's historical models can use them too.
"""

from __future__ import annotations

from datetime import UTC, datetime

import rfc8785

# tlog-tiles entry bundles prefix each entry with a big-endian uint16 length.
MAX_ENTRY_BYTES = 0xFFFF
DEMO_SOURCE = "demo"


class EntryTooLarge(ValueError):
    pass


def timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def canonical(entry: dict) -> bytes:
    """The entry's bytes (RFC 8785); refused when a bundle could not hold them."""
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
