"""`verify_log`'s checks: the stored log recomputed from its entries, each entry from its row.

Three things can drift apart after the fact, and each is named when it does: a row changed
since it was logged (its entry no longer derives from it), an entry changed (the tiles no longer
hash it), or the tiles changed (the root no longer matches the signed checkpoint).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from alerts.watch import check_log
from metrics.models import AuditEvent, Snapshot

from . import entries
from .log import read_tile, signer, tree
from .merkle import HASH_SIZE, TILE_WIDTH, TileBuilder, leaf_hash
from .models import Checkpoint, LogCheck, LogEntry
from .notes import verify_note

CHUNK = 2000


@dataclass
class Report:
    size: int = 0
    checkpoint: Checkpoint | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def entry_matches_row(entry: LogEntry) -> bool:
    """Whether an event's or snapshot's entry still derives from its row as stored today."""
    if entry.audit_event_id is not None:
        event = entry.audit_event
        derived = entries.event_entry(event, event.snapshot)
    elif entry.snapshot_id is not None:
        derived = entries.snapshot_entry(entry.snapshot)
    else:
        return True
    return entries.canonical(derived) == bytes(entry.data)


def verify() -> Report:
    """Every entry re-derived from its row, every tile recomputed, the checkpoint re-checked."""
    report = Report(size=tree().size)
    builder = TileBuilder(0, {})
    after = -1
    while True:
        chunk = list(LogEntry.objects.filter(index__gt=after).order_by("index")[:CHUNK])
        if not chunk:
            break
        report.problems += rows_that_changed(chunk)
        for entry in chunk:
            if entry.index != builder.size:
                report.problems.append(f"log index {builder.size} is missing")
                builder.size = entry.index  # carry on: name the gap once, check the rest
            builder.add([leaf_hash(bytes(entry.data))])
        report.problems += tiles_that_differ(builder, complete_only=True)
        after = chunk[-1].index
    if builder.size != report.size:
        report.problems.append(f"the head says {report.size} entries, the log holds {builder.size}")
    report.problems += tiles_that_differ(builder, complete_only=False)
    report.checkpoint, problem = check_checkpoint(report.size)
    if problem:
        report.problems.append(problem)
    return report


def rows_that_changed(chunk: list[LogEntry]) -> list[str]:
    events = AuditEvent.objects.in_bulk(
        [e.audit_event_id for e in chunk if e.audit_event_id is not None]
    )
    # Read once each: a chunk's thousands of events come in a handful of snapshots.
    snapshots = Snapshot.objects.defer("raw").in_bulk(
        {e.snapshot_id for e in chunk if e.snapshot_id is not None}
        | {event.snapshot_id for event in events.values()}
    )
    problems = []
    for entry in chunk:
        data = bytes(entry.data)
        if entry.audit_event_id is not None:
            event = events[entry.audit_event_id]
            if entries.canonical(entries.event_entry(event, snapshots[event.snapshot_id])) != data:
                problems.append(
                    f"audit event {event.event_id} no longer matches its log entry {entry.index}"
                )
        elif entry.snapshot_id is not None:
            snapshot = snapshots[entry.snapshot_id]
            raw = Snapshot.objects.values_list("raw", flat=True).get(pk=snapshot.pk)
            if (
                entries.canonical(entries.snapshot_entry(snapshot)) != data
                or hashlib.sha256(bytes(raw)).hexdigest() != snapshot.sha256
            ):
                problems.append(
                    f"snapshot {snapshot.sha256} no longer matches its log entry {entry.index}"
                )
    return problems


def tiles_that_differ(builder: TileBuilder, *, complete_only: bool) -> list[str]:
    problems = []
    for (level, index), hashes in list(builder.changed.items()):
        if complete_only and len(hashes) < TILE_WIDTH * HASH_SIZE:
            continue
        if read_tile(level, index) != hashes:
            problems.append(f"tile {level}/{index} does not hash the entries it covers")
        del builder.changed[(level, index)]
    return problems


def check_checkpoint(size: int) -> tuple[Checkpoint | None, str]:
    key = signer()
    if key is None:
        return None, ""
    latest = Checkpoint.objects.filter(origin=key.name).order_by("-size").first()
    if latest is None:
        return None, ""
    if verify_note(latest.note, key.verifier) is None:
        return latest, f"checkpoint {latest.size} is not signed by LOG_SIGNING_KEY"
    if latest.size > size:
        return latest, f"checkpoint {latest.size} is larger than the log ({size} entries)"
    if tree(size).root(latest.size) != bytes(latest.root):
        return latest, f"the tiles no longer hash to the root signed at size {latest.size}"
    return latest, ""


def record(report: Report) -> LogCheck:
    check = LogCheck.objects.create(
        size=report.size,
        checkpoint_size=report.checkpoint.size if report.checkpoint else None,
        problems="\n".join(report.problems),
    )
    check_log(check)  # staff told when it fails, and when it recovers
    return check
