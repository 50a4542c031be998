"""First-party, cookieless success measures: outbound links and per-day aggregate counters.

Nothing here can tell one visitor from another: rows are totals per (day, path) and per
(day, link), with no address, user agent or identifier anywhere.
"""

from __future__ import annotations

from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords


def outbound_url(slug: str) -> str:
    """The counted redirect for an outbound link: /out/<slug>/."""
    return reverse("measures:out", args=[slug])


class OutboundLink(models.Model):
    """A destination off the site that editors define; /out/<slug>/ counts and redirects."""

    slug = models.SlugField(max_length=60, unique=True)
    label = models.CharField(max_length=120)
    destination = models.URLField(
        max_length=500,
        # URLField alone also admits ftp://; visitors are only ever sent to web pages.
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="A full http:// or https:// address.",
    )
    published = models.BooleanField(
        default=True, help_text="Untick to make /out/<slug>/ answer 404 (its counts stay)."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["slug"]
        constraints = [
            # Rows added outside forms (migrations, shell) must not open a javascript: redirect.
            models.CheckConstraint(
                condition=models.Q(destination__startswith="https://")
                | models.Q(destination__startswith="http://"),
                name="outbound_destination_is_web",
            )
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return outbound_url(self.slug)


class DailyCount(models.Model):
    """What the beacon reported for one page on one day (UTC), as running totals."""

    date = models.DateField()
    path = models.CharField(max_length=200)
    views = models.PositiveIntegerField(default=0)
    entry_views = models.PositiveIntegerField(
        default=0, help_text="Views that were the first page of their tab's visit."
    )
    continued_entries = models.PositiveIntegerField(
        default=0, help_text="Entry views whose tab went on to show a second page."
    )
    leaves = models.PositiveIntegerField(
        default=0, help_text="Views that reported their visible time."
    )
    # Tenths of a second, as an integer: sums stay exact on every database.
    visible_tenths = models.PositiveBigIntegerField(default=0)

    class Meta:
        # The admin index lists this model as the report page (its changelist is the report).
        verbose_name = verbose_name_plural = "success measures"
        constraints = [
            models.UniqueConstraint(fields=["date", "path"], name="one_count_per_path_per_day")
        ]

    def __str__(self):
        return f"{self.date} {self.path}"


class DailyClick(models.Model):
    """Clicks through one outbound link on one day (UTC)."""

    date = models.DateField()
    # Counts outlive a change of mind: an editor unpublishes a link rather than deleting it.
    link = models.ForeignKey(OutboundLink, on_delete=models.PROTECT, related_name="clicks")
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["date", "link"], name="one_count_per_link_per_day")
        ]

    def __str__(self):
        return f"{self.date} {self.link.slug}"
