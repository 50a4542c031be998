"""The ingest service: one attempt to read, check and store a feed payload, always recorded.

Every attempt writes an `IngestRun` (unless it is a dry run). An accepted payload is stored
whole in one transaction: the snapshot with its exact bytes and hash chain link, and the
normalised rows pages read. Anything else leaves the stored snapshots as they were.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tractatus_site import pagecache
from transparency import log as transparency_log

from . import demo, signing
from . import feed as contract
from .feed import MAX_PAYLOAD_BYTES, Feed
from .fetch import FetchError, fetch
from .figures import latest_snapshot
from .models import (
    AuditEvent,
    IngestRun,
    PressureBucket,
    RuleBlocks,
    ServiceDay,
    ServiceWindow,
    Snapshot,
)
from .validation import InvalidFeed, parse, summarise

logger = logging.getLogger(__name__)

Outcome = IngestRun.Outcome
# Any fixed number: the PostgreSQL advisory lock that lets one ingest write at a time.
WRITER_LOCK = 7_020_255_001


@dataclass(frozen=True)
class Result:
    """What one attempt came to."""

    outcome: str
    reason: str = ""
    snapshot: Snapshot | None = None
    dry_run: bool = False
    # A dry run's whole finding: every violation, and what it made of the signature when that
    # is not among them.
    violations: tuple[str, ...] = ()
    signature_verdict: str = ""

    @property
    def summary(self) -> str:
        """One line for the cron log."""
        detail = self.reason
        if self.snapshot is not None:
            detail = (
                f"snapshot {self.snapshot.short_sha256} generated"
                f" {self.snapshot.generated_at.isoformat()} from {self.snapshot.source}"
            )
        line = f"{self.outcome}: {detail}" if detail else self.outcome
        return f"dry run, nothing stored: {line}" if self.dry_run else line

    @property
    def report(self) -> str:
        """The summary line; for a dry run, then every violation and the signature's verdict."""
        lines = [self.summary]
        if self.dry_run:
            lines += [f"  - {violation}" for violation in self.violations]
            if self.signature_verdict:
                lines.append(self.signature_verdict)
        return "\n".join(lines)


@dataclass
class Attempt:
    """One ingest attempt in progress: what its IngestRun row will say."""

    source_url: str
    dry_run: bool = False
    started_at: datetime = field(default_factory=timezone.now)
    clock: float = field(default_factory=time.monotonic)
    http_status: int | None = None
    bytes_read: int | None = None

    def finish(
        self, outcome: str, reason: str = "", *, error: str = "", snapshot: Snapshot | None = None
    ) -> Result:
        routine = outcome in (Outcome.ACCEPTED, Outcome.UNCHANGED)
        level = logging.INFO if routine else logging.WARNING
        logger.log(level, "ingest %s from %s: %s", outcome, self.source_url, error or reason)
        if not self.dry_run:
            IngestRun.objects.create(
                started_at=self.started_at,
                finished_at=timezone.now(),
                source_url=self.source_url[:500],
                http_status=self.http_status,
                bytes_read=self.bytes_read,
                duration_ms=round((time.monotonic() - self.clock) * 1000),
                outcome=outcome,
                reason=reason[:200],
                error=error,
                snapshot=snapshot,
            )
        return Result(outcome, reason, snapshot, self.dry_run)


def ingest(
    payload: bytes,
    source_url: str,
    *,
    dry_run: bool = False,
    signature: str = "",
    now: datetime | None = None,
) -> Result:
    """Check `payload` against the contract and store it if it is a new snapshot."""
    return _ingest(payload, Attempt(source_url, dry_run), signature=signature, now=now)


def ingest_url(url: str, *, dry_run: bool = False) -> Result:
    """Fetch the feed at `url` and ingest it; an unreadable source is a failed run."""
    attempt = Attempt(url, dry_run)
    try:
        fetched = fetch(url)
    except FetchError as exc:
        attempt.http_status = exc.status
        attempt.bytes_read = exc.bytes_read
        return attempt.finish(Outcome.FAILED, exc.reason, error=str(exc))
    attempt.http_status = fetched.status
    return _ingest(fetched.body, attempt, signature=fetched.signature)


def ingest_file(path: str | Path, *, dry_run: bool = False, signature: str = "") -> Result:
    """Ingest a payload saved on disk; an unreadable or oversized file is a failed run."""
    path = Path(path).resolve()
    attempt = Attempt(path.as_uri(), dry_run)
    try:
        with path.open("rb") as handle:
            payload = handle.read(MAX_PAYLOAD_BYTES + 1)
    except OSError as exc:
        return attempt.finish(Outcome.FAILED, "file unreadable", error=f"{path}: {exc}")
    if len(payload) > MAX_PAYLOAD_BYTES:
        attempt.bytes_read = len(payload)
        error = f"{path}: over {MAX_PAYLOAD_BYTES} bytes"
        return attempt.finish(Outcome.FAILED, "too large", error=error)
    return _ingest(payload, attempt, signature=signature)


def ingest_demo(*, dry_run: bool = False, now: datetime | None = None) -> Result:
    """Ingest the project's own demo feed, generated at `now`."""
    now = now or timezone.now()
    return _ingest(demo.demo_payload(now), Attempt(demo.SOURCE, dry_run), now=now)


def _ingest(
    payload: bytes, attempt: Attempt, *, signature: str = "", now: datetime | None = None
) -> Result:
    attempt.bytes_read = len(payload)
    now = now or timezone.now()
    if attempt.dry_run:
        return check_without_storing(payload, attempt, signature, now)
    try:
        # A forged body is refused before anything in it is read.
        signature_verified = signing.check(payload, signature)
    except signing.BadSignature as exc:
        return attempt.finish(Outcome.REJECTED, str(exc), error=str(exc))
    try:
        feed = parse(payload, now=now)
    except InvalidFeed as exc:
        return attempt.finish(Outcome.REJECTED, str(exc), error="\n".join(exc.violations))
    digest = hashlib.sha256(payload).hexdigest()
    checked = Checked(feed, payload, digest, signature, signature_verified)
    try:
        with transaction.atomic():
            lock_out_other_writers()
            latest = latest_snapshot()
            if not_new := why_not_new(latest, feed, checked.sha256):
                return attempt.finish(*not_new)
            events = sort_events(feed.audit_events)
            if events.changed:
                reason = summarise(events.changed)
                return attempt.finish(Outcome.REJECTED, reason, error="\n".join(events.changed))
            snapshot = store(checked, latest, events.new)
            result = attempt.finish(Outcome.ACCEPTED, snapshot=snapshot)
    except transparency_log.LogForked as exc:
        logger.error("ingest refused: %s", exc)
        return attempt.finish(Outcome.FAILED, "transparency log forked", error=str(exc))
    except IntegrityError as exc:
        if Snapshot.objects.filter(sha256=checked.sha256).exists():
            # Another writer slipped past the lock with this very payload: its copy is kept.
            return attempt.finish(Outcome.UNCHANGED, "stored by a concurrent run")
        # Anything else is a bug in what we store, and must not pass for a routine run.
        logger.exception("ingest from %s could not store its snapshot", attempt.source_url)
        error = f"{type(exc).__name__}: {exc}"
        return attempt.finish(Outcome.FAILED, "could not be stored", error=error)
    # Committed: every cached page is now older than the latest snapshot.
    pagecache.invalidate()
    return result


def check_without_storing(
    payload: bytes, attempt: Attempt, signature: str, now: datetime
) -> Result:
    """A dry run: the payload read to the end, every violation listed and the signature judged.

    A partner checking a payload before shipping it wants the whole finding in one pass, so a
    bad signature does not stop the reading here as it does for a real ingest.
    """
    violations: list[str] = []
    signature_verdict = ""  # a bad signature is among the violations instead
    try:
        signature_verdict = signing.verdict(payload, signature)
    except signing.BadSignature as exc:
        violations.append(str(exc))
    not_new = None
    try:
        feed = parse(payload, now=now)
    except InvalidFeed as exc:
        violations += exc.violations
    else:
        not_new = why_not_new(latest_snapshot(), feed, hashlib.sha256(payload).hexdigest())
        if not_new is None:
            violations += sort_events(feed.audit_events).changed
    if violations:
        result = attempt.finish(Outcome.REJECTED, summarise(violations))
    else:
        result = attempt.finish(*(not_new or (Outcome.ACCEPTED, "valid, new")))
    return replace(result, violations=tuple(violations), signature_verdict=signature_verdict)


@dataclass(frozen=True)
class SortedEvents:
    new: list[contract.AuditEvent]
    changed: list[str]  # a violation for each event stored before with other content


def content_of(event: contract.AuditEvent) -> tuple:
    """An event's content as `AuditEvent.content` stores it: absent texts are empty."""
    return (
        event.at,
        event.service,
        event.decision,
        event.rule or "",
        event.tenant,
        event.detail or "",
    )


def sort_events(events: list[contract.AuditEvent]) -> SortedEvents:
    """Which of a payload's events are new, and which contradict what was published before.

    Payloads overlap, so an event stored with the same content is skipped; one stored with
    other content is refused, because the log is append-only and an event never changes.
    """
    stored = {
        row.event_id: row.content
        for row in AuditEvent.objects.filter(event_id__in=[e.id for e in events]).only(
            "event_id", *AuditEvent.CONTENT
        )
    }
    new, changed = [], []
    for n, event in enumerate(events):
        if event.id not in stored:
            new.append(event)
        elif stored[event.id] != content_of(event):
            changed.append(
                f"audit_events[{n}]: its id was published before with other content"
                " (events never change)"
            )
    return SortedEvents(new, changed)


def lock_out_other_writers() -> None:
    """Serialise ingests inside the current transaction, so the hash chain never forks."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITER_LOCK])
    # SQLite (settings: transaction_mode IMMEDIATE) took the database's write lock at BEGIN.


def why_not_new(latest: Snapshot | None, feed: Feed, digest: str) -> tuple[str, str] | None:
    """Why the payload is not a new snapshot (outcome, reason), or None when it is."""
    if latest is None:
        return None
    if latest.sha256 == digest:
        return Outcome.UNCHANGED, "identical to the latest snapshot"
    if feed.generated_at == latest.generated_at:
        return Outcome.UNCHANGED, "same generated_at as the latest snapshot"
    if feed.generated_at < latest.generated_at:
        return Outcome.OUT_OF_ORDER, "generated before the latest snapshot"
    return None


@dataclass(frozen=True)
class Checked:
    """A payload that passed every check, with what its snapshot row records of it."""

    feed: Feed
    raw: bytes
    sha256: str
    signature: str = ""  # as received
    signature_verified: bool = False


def store(
    checked: Checked, previous: Snapshot | None, new_events: Sequence[contract.AuditEvent] = ()
) -> Snapshot:
    """The snapshot, the normalised rows of its feed and its new audit events (in a transaction)."""
    snapshot = snapshot_row(checked, previous)
    snapshot.save()
    feed = checked.feed
    ServiceWindow.objects.bulk_create(service_window_rows(snapshot, feed))
    ServiceDay.objects.bulk_create(service_day_rows(snapshot, feed))
    RuleBlocks.objects.bulk_create(rule_blocks_rows(snapshot, feed))
    PressureBucket.objects.bulk_create(pressure_bucket_rows(snapshot, feed))
    events = AuditEvent.objects.bulk_create(audit_event_rows(snapshot, new_events), batch_size=1000)
    # Evidence is logged in the transaction that stores it (docs/transparency.md).
    transparency_log.append_snapshot(snapshot, events)
    return snapshot


def snapshot_row(checked: Checked, previous: Snapshot | None) -> Snapshot:
    """The (unsaved) snapshot of `checked`, linked to `previous` in the hash chain."""
    feed = checked.feed
    return Snapshot(
        raw=checked.raw,
        sha256=checked.sha256,
        previous_sha256=previous.sha256 if previous else "",
        generated_at=feed.generated_at,
        source=feed.source,
        deployed_since=feed.deployed_since,
        tenant_isolation_24h=feed.tenant_isolation.last_24h,
        tenant_isolation_7d=feed.tenant_isolation.last_7d,
        tenant_isolation_30d=feed.tenant_isolation.last_30d,
        uptime_percent=feed.enforcement.uptime_percent,
        bypasses=feed.enforcement.bypasses,
        # Only a well-formed signature is kept; only a verified one is ever claimed.
        signature=checked.signature if signing.decode(checked.signature) else "",
        signature_verified=checked.signature_verified,
    )


def service_window_rows(snapshot: Snapshot, feed: Feed) -> list[ServiceWindow]:
    """Each service's tally in each window, services in the feed's order."""
    return [
        ServiceWindow(
            snapshot=snapshot,
            key=service.key,
            name=service.name,
            position=position,
            window=window,
            operations=tally.operations,
            blocked=tally.blocked,
        )
        for position, service in enumerate(feed.services)
        for window, tally in service.windows.tallies().items()
    ]


def service_day_rows(snapshot: Snapshot, feed: Feed) -> list[ServiceDay]:
    """Each service's daily history."""
    return [
        ServiceDay(
            snapshot=snapshot,
            key=service.key,
            date=day.date,
            operations=day.operations,
            blocked=day.blocked,
        )
        for service in feed.services
        for day in service.daily
    ]


def rule_blocks_rows(snapshot: Snapshot, feed: Feed) -> list[RuleBlocks]:
    """The 30-day blocks of each rule, in the feed's order."""
    return [
        RuleBlocks(
            snapshot=snapshot,
            rule=rule.rule,
            label=rule.label,
            position=position,
            count_30d=rule.count_30d,
        )
        for position, rule in enumerate(feed.boundary_blocks_by_rule)
    ]


def pressure_bucket_rows(snapshot: Snapshot, feed: Feed) -> list[PressureBucket]:
    """The context-pressure histogram."""
    return [
        PressureBucket(
            snapshot=snapshot, lower=bucket.from_, upper=bucket.to, sessions=bucket.sessions
        )
        for bucket in feed.context_pressure.buckets
    ]


def audit_event_rows(
    snapshot: Snapshot, events: Sequence[contract.AuditEvent]
) -> list[AuditEvent]:
    """The events first published in `snapshot`; absent texts are stored empty."""
    return [
        AuditEvent(
            event_id=event.id,
            at=event.at,
            service=event.service,
            decision=event.decision,
            rule=event.rule or "",
            tenant=event.tenant,
            detail=event.detail or "",
            snapshot=snapshot,
        )
        for event in events
    ]
