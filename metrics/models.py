"""Snapshots of the MySovereignty framework-metrics feed, and the service rows editors map."""

from __future__ import annotations

import hashlib

from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .feed import WINDOWS

WINDOW_CHOICES = [(w, w) for w in WINDOWS]


class FrameworkService(models.Model):
    """A framework service as editors present it, mapped to a feed `key`."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DEGRADED = "degraded", "Degraded"
        PAUSED = "paused", "Paused"

    name = models.CharField("display name", max_length=100)
    feed_key = models.SlugField(
        "feed key",
        max_length=64,
        unique=True,
        help_text="The service's `key` in the metrics feed, e.g. boundary-enforcer.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    unit = models.CharField(
        "unit wording",
        max_length=100,
        help_text='Follows the 30-day figure, e.g. "operations validated".',
    )
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    published = models.BooleanField(default=True)
    history = HistoricalRecords()

    # Who may change what (staff groups): editors the copy, metrics reviewers the mapping.
    COPY_FIELDS = ("name", "unit", "description", "order", "published")
    MAPPING_FIELDS = ("feed_key", "status")

    class Meta:
        ordering = ["order", "id"]
        permissions = [("change_feed_mapping", "Can change a service's feed key and status")]

    def __str__(self):
        return self.name


class Snapshot(models.Model):
    """One accepted feed payload: its exact bytes, their hash and the hash chain."""

    raw = models.BinaryField(help_text="The payload exactly as received.")
    sha256 = models.CharField(max_length=64, unique=True)
    previous_sha256 = models.CharField(max_length=64, blank=True)
    generated_at = models.DateTimeField(unique=True)
    ingested_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=100)
    deployed_since = models.DateField()
    tenant_isolation_24h = models.PositiveBigIntegerField()
    tenant_isolation_7d = models.PositiveBigIntegerField()
    tenant_isolation_30d = models.PositiveBigIntegerField()
    uptime_percent = models.FloatField()
    bypasses = models.PositiveBigIntegerField()
    signature = models.CharField(
        max_length=100, blank=True, help_text="The feed's Ed25519 signature, standard base64."
    )
    signature_verified = models.BooleanField(
        default=False, help_text="Verified against METRICS_PUBLIC_KEY when it was ingested."
    )

    class Meta:
        ordering = ["-generated_at"]
        get_latest_by = "generated_at"

    def __str__(self):
        return f"{self.generated_at:%Y-%m-%d %H:%M} {self.sha256[:12]}"

    def get_absolute_url(self):
        return reverse("metrics:snapshot-raw", args=[self.sha256])

    @property
    def is_demo(self) -> bool:
        return self.source == "demo"

    @property
    def short_sha256(self) -> str:
        return self.sha256[:12]

    def raw_bytes(self) -> bytes:
        return bytes(self.raw)

    def hash_matches(self) -> bool:
        """Whether the stored bytes still hash to the stored SHA-256."""
        return hashlib.sha256(self.raw_bytes()).hexdigest() == self.sha256


class ServiceWindow(models.Model):
    """A service's operations and blocks in one rolling window of a snapshot."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="windows")
    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField()
    window = models.CharField(max_length=3, choices=WINDOW_CHOICES)
    operations = models.PositiveBigIntegerField()
    blocked = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["position", "window"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "key", "window"], name="one_window_row")
        ]

    def __str__(self):
        return f"{self.key} {self.window}"


class ServiceDay(models.Model):
    """A service's operations and blocks on one whole UTC day, as a snapshot reported it."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="days")
    key = models.SlugField(max_length=64)
    date = models.DateField()
    operations = models.PositiveBigIntegerField()
    blocked = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["key", "date"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "key", "date"], name="one_day_row")
        ]
        indexes = [models.Index(fields=["key", "date"])]

    def __str__(self):
        return f"{self.key} {self.date}"


class RuleBlocks(models.Model):
    """Boundary-enforcement blocks of one rule over the snapshot's 30 days."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="rules")
    rule = models.SlugField(max_length=64)
    label = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField()
    count_30d = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["position"]
        verbose_name_plural = "rule blocks"
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "rule"], name="one_rule_row")
        ]

    def __str__(self):
        return self.rule


class PressureBucket(models.Model):
    """Sessions whose context pressure fell in [lower, upper) percent over 30 days."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="buckets")
    lower = models.FloatField()
    upper = models.FloatField()
    sessions = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["lower"]

    def __str__(self):
        return f"{self.lower:g} to {self.upper:g}%"


class IngestRun(models.Model):
    """One attempt to ingest the feed, whatever its outcome."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        UNCHANGED = "unchanged", "Unchanged"
        OUT_OF_ORDER = "out_of_order", "Out of order"
        REJECTED = "rejected", "Rejected"
        FAILED = "failed", "Failed"

    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField()
    source_url = models.CharField(max_length=500)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    bytes_read = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    outcome = models.CharField(max_length=12, choices=Outcome.choices, db_index=True)
    reason = models.CharField(
        max_length=200,
        blank=True,
        help_text="Public reason: a contract rule or a failure class, never a URL or host.",
    )
    error = models.TextField(blank=True)
    snapshot = models.ForeignKey(
        Snapshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} {self.get_outcome_display()}"


class ChainCheck(models.Model):
    """One verification of the whole hash chain, run by cron, read by the audit page."""

    checked_at = models.DateTimeField(auto_now_add=True)
    snapshots_checked = models.PositiveIntegerField()
    verified_through = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the last snapshot of the intact chain."
    )
    broken_at = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the first snapshot that breaks it."
    )
    problem = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-checked_at"]
        get_latest_by = "checked_at"

    def __str__(self):
        return f"{self.checked_at:%Y-%m-%d %H:%M} {'broken' if self.broken_at else 'intact'}"

    @property
    def intact(self) -> bool:
        return not self.broken_at


class AuditEventQuerySet(models.QuerySet):
    def enforcement(self):
        """Blocks and escalations: the decisions where the framework stepped in."""
        return self.filter(decision__in=AuditEvent.ENFORCED)

    def newest_first(self):
        return self.order_by("-at", "-pk")

    def recent_enforcement(self, limit: int = 10):
        """The latest blocks and escalations, with what a list shows of their snapshot."""
        return (
            self.enforcement()
            .select_related("snapshot")
            .only(*AuditEvent.CONTENT, "event_id", "snapshot__sha256", "snapshot__source")
            .newest_first()[:limit]
        )


class AuditEvent(models.Model):
    """One decision of the framework on MySovereignty, as the feed published it: never changed.

    Kept with the snapshot whose raw bytes first delivered it, so anyone can download those
    bytes and find the event in them. Built for tens of millions of rows: every listing is a
    keyset walk down one of the (filter, at, id) indexes, newest first.
    """

    class Decision(models.TextChoices):
        BLOCKED = "blocked", "Blocked"
        ALLOWED = "allowed", "Allowed"
        ESCALATED = "escalated", "Escalated"

    ENFORCED = (Decision.BLOCKED, Decision.ESCALATED)
    # The fields that make an event what it is: the same id with any of them changed is refused.
    CONTENT = ("at", "service", "decision", "rule", "tenant", "detail")

    event_id = models.CharField("id", max_length=64, unique=True)
    at = models.DateTimeField()
    service = models.SlugField(max_length=64, db_index=False)
    decision = models.CharField(max_length=9, choices=Decision.choices)
    rule = models.SlugField(max_length=64, blank=True, db_index=False)
    tenant = models.CharField(max_length=18)
    detail = models.CharField(max_length=200, blank=True)
    snapshot = models.ForeignKey(
        Snapshot,
        on_delete=models.PROTECT,
        related_name="audit_events",
        help_text="The snapshot whose bytes first delivered this event.",
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        # PostgreSQL walks each index backwards for "newest first"; the leading columns are the
        # filters the viewer offers, so every filtered page is one index range, however deep.
        indexes = [
            models.Index(fields=["at", "id"], name="audit_newest"),
            models.Index(
                fields=["at", "id"],
                condition=models.Q(decision__in=["blocked", "escalated"]),
                name="audit_enforced",
            ),
            models.Index(fields=["service", "at", "id"], name="audit_service"),
            models.Index(fields=["service", "decision", "at", "id"], name="audit_service_decision"),
            models.Index(fields=["decision", "at", "id"], name="audit_decision"),
            models.Index(fields=["rule", "at", "id"], name="audit_rule"),
            models.Index(fields=["tenant", "at", "id"], name="audit_tenant"),
        ]

    def __str__(self):
        return self.event_id

    def get_absolute_url(self):
        return reverse("audit:event", args=[self.event_id])

    @property
    def content(self) -> tuple:
        return tuple(getattr(self, name) for name in self.CONTENT)
