"""What the database knows, read at each scrape: the same answer from every worker.

The ingest and the probe run from cron, in processes that do not live to be scraped, so their
outcomes are counted from the rows they leave rather than from in-memory counters.
"""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.utils import timezone
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)
from prometheus_client.registry import Collector

from alerts.models import Incident
from evidence.live import latest_evidence
from metrics.health import latest_snapshot_summary
from metrics.models import IngestRun, Snapshot
from transparency.log import log_size

# Seconds: the buckets of the ingest's durations.
INGEST_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


def ingest_families():
    runs = CounterMetricFamily(
        "tractatus_ingest_runs", "Ingest runs recorded, by outcome.", labels=["outcome"]
    )
    durations = HistogramMetricFamily(
        "tractatus_ingest_duration_seconds", "How long ingest runs took, by outcome.",
        labels=["outcome"],
    )
    aggregates = {"n": Count("pk"), "total_ms": Sum("duration_ms")}
    aggregates |= {
        f"le{i}": Count("pk", filter=Q(duration_ms__lte=bound * 1000))
        for i, bound in enumerate(INGEST_BUCKETS)
    }
    rows = {row["outcome"]: row for row in
            IngestRun.objects.values("outcome").annotate(**aggregates).order_by()}
    for outcome in IngestRun.Outcome.values:
        row = rows.get(outcome, {"n": 0, "total_ms": 0} | {f"le{i}": 0 for i in range(9)})
        runs.add_metric([outcome], row["n"])
        buckets = [(str(bound), row[f"le{i}"]) for i, bound in enumerate(INGEST_BUCKETS)]
        durations.add_metric(
            [outcome], [*buckets, ("+Inf", row["n"])], (row["total_ms"] or 0) / 1000
        )
    return [runs, durations]


def snapshot_families():
    latest = latest_snapshot_summary()
    age = GaugeMetricFamily(
        "tractatus_snapshot_age_seconds",
        "Age of the latest accepted snapshot (from its generated_at); absent before the first.",
    )
    if latest is not None:
        age.add_metric([], (timezone.now() - latest.generated_at).total_seconds())
    chain = GaugeMetricFamily(
        "tractatus_snapshots", "Snapshots in the hash chain (the ingest log's size)."
    )
    chain.add_metric([], Snapshot.objects.count())
    return [age, chain]


def log_families():
    entries = GaugeMetricFamily(
        "tractatus_transparency_log_entries", "Entries in the transparency log (its size)."
    )
    entries.add_metric([], log_size())
    return [entries]


def probe_families():
    up = GaugeMetricFamily(
        "tractatus_probe_success", "1 if the target's latest check succeeded, 0 if it failed.",
        labels=["url"],
    )
    score = GaugeMetricFamily(
        "tractatus_probe_score", "The latest check's header score (0-100).", labels=["url"]
    )
    days = GaugeMetricFamily(
        "tractatus_probe_certificate_days_left", "Days until the certificate expires.",
        labels=["url"],
    )
    when = GaugeMetricFamily(
        "tractatus_probe_checked_timestamp_seconds", "When the latest check ran.", labels=["url"]
    )
    for check in latest_evidence().checks:
        if check.is_demo:
            continue
        url = check.url
        up.add_metric([url], 1 if check.ok else 0)
        when.add_metric([url], check.checked_at.timestamp())
        if check.score is not None:
            score.add_metric([url], check.score)
        if check.certificate_days_left is not None:
            days.add_metric([url], check.certificate_days_left)
    return [up, score, days, when]


def incident_families():
    open_now = GaugeMetricFamily("tractatus_open_incidents", "Incidents open now.")
    open_now.add_metric([], Incident.objects.open().count())
    return [open_now]


class DatabaseCollector(Collector):
    def collect(self):
        yield from ingest_families()
        yield from snapshot_families()
        yield from log_families()
        yield from probe_families()
        yield from incident_families()
