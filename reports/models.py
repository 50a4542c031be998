"""Monthly enforcement reports: generated figures, plus an editor's commentary."""

from __future__ import annotations

from datetime import date, datetime

from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from showcase.markdown import render_markdown

from .monthly import daily_operations_chart, month_figures


class MonthlyReport(models.Model):
    month = models.DateField(unique=True, help_text="The first day of the month reported.")
    figures = models.JSONField(
        editable=False, help_text="Regenerated on every run; never edited by hand."
    )
    generated_at = models.DateTimeField(editable=False)
    commentary = models.TextField(
        blank=True, help_text="Markdown. Yours: a re-run of the report never overwrites it."
    )
    commentary_html = models.TextField(editable=False, blank=True)
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month"]

    def __str__(self):
        return f"Enforcement report, {self.month:%B %Y}"

    def save(self, *args, **kwargs):
        self.commentary_html = render_markdown(self.commentary)
        if self.published and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("reports:detail", args=[self.month.year, f"{self.month.month:02d}"])

    @classmethod
    def generate(cls, month: date, publish: bool = False) -> MonthlyReport | None:
        """Create or refresh the month's figures, keeping commentary; None when no data."""
        figures = month_figures(month, today=timezone.now().date())
        if figures is None:
            return None
        report = cls.objects.filter(month=month).first() or cls(month=month)
        report.figures = figures.as_json()
        report.generated_at = timezone.now()
        report.published = report.published or publish
        report.save()
        return report

    @property
    def title(self) -> str:
        suffix = " (month to date)" if self.figures.get("month_to_date") else ""
        return f"Enforcement report: {self.month:%B %Y}{suffix}"

    @property
    def is_demo(self) -> bool:
        return bool(self.figures.get("is_demo"))

    @property
    def latest_generated_at(self) -> datetime:
        return datetime.fromisoformat(self.figures["latest"]["generated_at"])

    @property
    def total_operations(self) -> int:
        return sum(service["operations"] for service in self.figures["services"])

    def chart(self):
        return daily_operations_chart(self.figures)
