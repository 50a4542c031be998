"""The transparency log's rows: its head, its entries, its tiles and what it has published."""

from __future__ import annotations

import base64

from django.db import models

from metrics.models import AuditEvent, Snapshot


class LogHead(models.Model):
    """The log's one head row: locked by every append, so the log grows one writer at a time."""

    size = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"log of {self.size} entries"


class LogEntry(models.Model):
    """One entry at its place in the log, and the row it stands for (when it stands for one)."""

    index = models.PositiveBigIntegerField("log index", primary_key=True)
    data = models.BinaryField(help_text="The entry: RFC 8785 canonical JSON.")
    snapshot = models.ForeignKey(
        Snapshot, null=True, blank=True, on_delete=models.PROTECT, db_index=False,
        related_name="log_entries",
    )
    audit_event = models.OneToOneField(
        AuditEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="log_entry"
    )

    class Meta:
        ordering = ["index"]
        verbose_name_plural = "log entries"
        constraints = [
            # Partial: almost every entry is an event, and their NULLs need no index.
            models.UniqueConstraint(
                fields=["snapshot"], condition=models.Q(snapshot__isnull=False),
                name="one_entry_per_snapshot",
            )
        ]

    def __str__(self):
        return f"entry {self.index}"

    @property
    def text(self) -> str:
        return bytes(self.data).decode()


class Tile(models.Model):
    """A tlog-tiles hash tile: up to 256 hashes at one level, as served (full or the edge)."""

    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hashes = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="one_tile")]

    def __str__(self):
        return f"tile {self.level}/{self.index}"


class Checkpoint(models.Model):
    """A checkpoint the log signed and published; never changed, never deleted."""

    origin = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    root = models.BinaryField()
    note = models.TextField(help_text="The signed note, with the log's own signature.")
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-size"]
        get_latest_by = "size"
        constraints = [
            models.UniqueConstraint(fields=["origin", "size"], name="one_checkpoint_per_size")
        ]

    def __str__(self):
        return f"{self.origin} at {self.size}"

    @property
    def root_base64(self) -> str:
        return base64.b64encode(bytes(self.root)).decode()


class Cosignature(models.Model):
    """A witness's cosignature line over one checkpoint, verified before it was kept."""

    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.CASCADE, related_name="cosignatures"
    )
    witness = models.CharField(max_length=200)
    line = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["witness"]
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "witness"], name="one_cosignature")
        ]

    def __str__(self):
        return f"{self.witness} on {self.checkpoint}"


class WitnessState(models.Model):
    """What a configured witness last answered."""

    name = models.CharField(max_length=200, unique=True)
    url = models.CharField(max_length=500)
    size = models.PositiveBigIntegerField(
        default=0, help_text="The size of the last checkpoint it cosigned."
    )
    ok = models.BooleanField(default=False)
    detail = models.CharField(max_length=300, blank=True)
    attempted_at = models.DateTimeField(null=True, blank=True)
    cosigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class LogCheck(models.Model):
    """One run of `verify_log`: what it checked and every problem it found."""

    checked_at = models.DateTimeField(auto_now_add=True)
    size = models.PositiveBigIntegerField()
    checkpoint_size = models.PositiveBigIntegerField(null=True, blank=True)
    problems = models.TextField(blank=True, help_text="One problem a line; empty when intact.")

    class Meta:
        ordering = ["-checked_at", "-id"]
        get_latest_by = ["checked_at", "id"]

    def __str__(self):
        return f"{self.checked_at:%Y-%m-%d %H:%M} {'intact' if self.intact else 'problems'}"

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def problem_list(self) -> list[str]:
        return self.problems.splitlines()
