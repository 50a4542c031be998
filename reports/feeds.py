from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from tractatus_site.addresses import absolute

from .models import MonthlyReport


class ReportsFeed(Feed):
    """Published monthly reports as Atom, newest first."""

    feed_type = Atom1Feed
    title = "Tractatus monthly enforcement reports"
    subtitle = "What production showed each month, with the snapshot hashes to check it."

    # Absolute already, so Django's Feed never adds the request's host to them.
    def link(self):
        return absolute(reverse("reports:index"))

    def feed_url(self):
        return absolute(reverse("reports:feed"))

    def item_link(self, report):
        return absolute(report.get_absolute_url())

    def items(self):
        return MonthlyReport.objects.filter(published=True)[:24]

    def item_title(self, report):
        return f"{report.title} (demo data)" if report.is_demo else report.title

    def item_description(self, report):
        services = len(report.figures["services"])
        summary = f"{report.total_operations:,} framework operations across {services} services."
        # A feed reader shows the entry without the page: the label must travel with it.
        return f"Demo data, not production figures: {summary}" if report.is_demo else summary

    def item_pubdate(self, report):
        return report.published_at

    def item_updateddate(self, report):
        return report.generated_at
