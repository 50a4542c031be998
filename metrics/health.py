"""What staff need to know about the ingest at a glance, and which feed keys await mapping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import FrameworkService, IngestRun, ServiceWindow, Snapshot

FAILURES = (IngestRun.Outcome.FAILED, IngestRun.Outcome.REJECTED)


@dataclass(frozen=True)
class Health:
    latest: Snapshot | None
    age: timedelta | None
    stale: bool
    failures_24h: int
    unmapped: int


def latest_snapshot_summary() -> Snapshot | None:
    """The latest accepted snapshot without its bytes."""
    return Snapshot.objects.defer("raw").order_by("-generated_at").first()


def unmapped_keys(snapshot: Snapshot | None) -> list[ServiceWindow]:
    """The 30-day row of each service in `snapshot` that no FrameworkService maps yet."""
    if snapshot is None:
        return []
    mapped = FrameworkService.objects.values("feed_key")
    return list(snapshot.windows.filter(window="30d").exclude(key__in=mapped))


def consecutive_failures(limit: int = 100) -> list[IngestRun]:
    """The failed and rejected runs since the last one that read the feed, newest first."""
    failures = []
    for run in IngestRun.objects.order_by("-started_at").only(
        "outcome", "started_at", "reason", "error"
    )[:limit]:
        if run.outcome not in FAILURES:
            break
        failures.append(run)
    return failures


def ingest_health(now: datetime | None = None) -> Health:
    """The last accepted snapshot and its age, recent failures, and unmapped keys."""
    now = now or timezone.now()
    latest = latest_snapshot_summary()
    age = now - latest.generated_at if latest else None
    stale_after = timedelta(minutes=settings.METRICS_STALE_AFTER_MINUTES)
    return Health(
        latest=latest,
        age=age,
        stale=age is None or age >= stale_after,
        failures_24h=IngestRun.objects.filter(
            outcome__in=FAILURES, started_at__gte=now - timedelta(hours=24)
        ).count(),
        unmapped=len(unmapped_keys(latest)),
    )
