"""Staff side of the measures: the outbound links editors define, and the report page."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from tractatus_site import csvfile
from tractatus_site.admin import ReadOnlyAdmin

from .models import DailyCount, OutboundLink
from .reports import (
    FRAME,
    PERIOD_DAYS,
    Period,
    csv_rows,
    daily_rows,
    period_tallies,
    summaries,
)


@admin.register(OutboundLink)
class OutboundLinkAdmin(SimpleHistoryAdmin):
    list_display = ["label", "slug", "destination", "published", "counted_url"]
    list_filter = ["published"]
    search_fields = ["slug", "label", "destination"]
    # An address typed without a scheme is taken as https://, not http://.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="link to use on the site")
    def counted_url(self, link: OutboundLink) -> str:
        return link.get_absolute_url()


@admin.register(DailyCount)
class MeasuresAdmin(ReadOnlyAdmin):
    """Its changelist is the report: the counters come from visitors and are never edited."""

    def get_urls(self):
        csv_view = self.admin_site.admin_view(self.csv_view)
        return [path("csv/", csv_view, name="measures_dailycount_csv"), *super().get_urls()]

    def _period(self, request: HttpRequest) -> Period:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return period_tallies(timezone.localdate())

    def changelist_view(self, request, extra_context=None):
        """The five measures for the last 30 days: totals, daily charts and table."""
        period = self._period(request)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Success measures, last {PERIOD_DAYS} days",
            "opts": self.opts,
            "period": period,
            "summaries": summaries(period),
            "daily_rows": daily_rows(period),
            "frame": FRAME,
            "csv_url": reverse("admin:measures_dailycount_csv"),
        }
        return TemplateResponse(request, "admin/measures/report.html", context)

    def csv_view(self, request: HttpRequest) -> HttpResponse:
        """The same 30 days as CSV, one row per day and a total row."""
        period = self._period(request)
        return csvfile.attachment(csv_rows(period), f"measures-{period.start}-to-{period.end}.csv")
