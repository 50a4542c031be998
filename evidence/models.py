"""The partner's live evidence: the addresses checked, and every check, kept append-only."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from . import grading
from .grading import CLAIMS, HEADERS, claim_holds

# A certificate this close to its expiry is news: the pages say so and staff are told.
CERTIFICATE_WARNING_DAYS = 14


class ProbeTarget(models.Model):
    """An address `probe_partner` checks every hour; the enforcement page shows the latest."""

    url = models.URLField("address", max_length=500, unique=True)
    enabled = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.url


class AppendOnly(models.Model):
    """Rows that are evidence: written once, never changed or deleted through the ORM."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are append-only")


class Check(AppendOnly):
    """One fetch of one address: what came back (or how it failed), graded."""

    class Failure(models.TextChoices):
        NONE = "", "None"
        DNS = "dns", "Name not found (DNS)"
        TLS = "tls", "TLS failed (certificate not verified)"
        TIMEOUT = "timeout", "Timed out"
        CONNECTION = "connection", "Connection failed"
        SERVER_ERROR = "server_error", "Server error (5xx)"
        OVERSIZED = "oversized", "Header block too large"
        REDIRECT_OFF_HOST = "redirect_off_host", "Redirected off the target's host"
        TOO_MANY_REDIRECTS = "too_many_redirects", "Too many redirects"
        INVALID = "invalid", "Not a checkable address"

    url = models.CharField(max_length=500, db_index=True)
    target = models.ForeignKey(
        ProbeTarget, null=True, blank=True, on_delete=models.SET_NULL, related_name="checks",
        help_text="Empty for an ad-hoc check (probe_partner --url).",
    )
    checked_at = models.DateTimeField(db_index=True)
    failure = models.CharField(max_length=20, choices=Failure.choices, blank=True)
    error = models.TextField(blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    final_url = models.CharField(max_length=2000, blank=True)
    headers = models.JSONField(default=dict, help_text="The security headers, names lower-case.")
    raw_headers = models.TextField(
        blank=True, help_text="The status line and header block as received, CRLF line ends."
    )
    sha256 = models.CharField(max_length=64, blank=True)
    score = models.SmallIntegerField(null=True, blank=True)
    grade = models.CharField(max_length=2, blank=True)
    certificate_expires_at = models.DateTimeField(null=True, blank=True)
    certificate_days_left = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-checked_at", "-pk"]
        indexes = [models.Index(fields=["url", "checked_at"], name="evidence_url_checked")]

    def __str__(self):
        return f"{self.url} {self.checked_at:%Y-%m-%d %H:%M} {self.grade or self.failure}"

    def get_absolute_url(self):
        return reverse("evidence:check", args=[self.pk])

    @property
    def ok(self) -> bool:
        return not self.failure

    is_demo = False
    # The weakenings its summary says: for an address's latest check, those still standing
    # there (evidence.live); on a check's own page, those it found.
    shown_weakenings: tuple = ()

    @property
    def certificate_expiring(self) -> bool:
        days = self.certificate_days_left
        return days is not None and days <= CERTIFICATE_WARNING_DAYS

    def weakenings(self) -> list[HeaderChange]:
        if self.pk is None:  # the demo result
            return []
        return [change for change in self.changes.all() if change.weakens]

    def graded(self):
        return grading.grade(self.headers)

    def rows(self) -> list[dict]:
        """Each security header: its value, its verdict, and the plan's claim where it makes one."""
        verdicts = self.graded().verdicts
        return [
            {
                "name": name,
                "value": self.headers.get(name),
                "verdict": verdicts[name],
                "claim": CLAIMS.get(name, ""),
                "claim_holds": name in CLAIMS and claim_holds(name, self.headers.get(name)),
            }
            for name in HEADERS
        ]

    def claim_rows(self) -> list[dict]:
        return [row for row in self.rows() if row["claim"]]

    def log_entry(self) -> dict:
        """The check as the transparency log holds it: what /api/evidence.json serves."""
        return {"kind": "evidence", **self.as_json()}

    def as_json(self) -> dict:
        return {
            "url": self.url,
            "checked_at": self.checked_at.isoformat().replace("+00:00", "Z"),
            "status": self.status,
            "headers": {name: self.headers.get(name) for name in HEADERS},
            "grade": self.grade or None,
            "score": self.score,
            "sha256": self.sha256 or None,
            "failure": self.failure or None,
            "final_url": self.final_url or None,
            "certificate_days_left": self.certificate_days_left,
        }


class HeaderChange(AppendOnly):
    """A security header that differs from the address's previous successful check."""

    class Kind(models.TextChoices):
        APPEARED = "appeared", "Appeared"
        STRENGTHENED = "strengthened", "Strengthened"
        CHANGED = "changed", "Changed"
        WEAKENED = "weakened", "Weakened"
        VANISHED = "vanished", "Vanished"

    WEAKENINGS = (Kind.WEAKENED, Kind.VANISHED)

    found_in = models.ForeignKey(Check, on_delete=models.PROTECT, related_name="changes")
    previous = models.ForeignKey(Check, on_delete=models.PROTECT, related_name="+")
    header = models.CharField(max_length=40)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)

    class Meta:
        ordering = ["-found_in__checked_at", "header"]

    def __str__(self):
        return f"{self.header} {self.kind}"

    @property
    def weakens(self) -> bool:
        return self.kind in self.WEAKENINGS
