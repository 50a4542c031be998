from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from .models import MonthlyReport


class ReportsFeed(Feed):
    """Published monthly reports as Atom, newest first."""

    feed_type = Atom1Feed
    title = "Tractatus monthly enforcement reports"
    link = "/reports/"
    subtitle = "What production showed each month, with the snapshot hashes to check it."

    def items(self):
        return MonthlyReport.objects.filter(published=True)[:24]

    def item_title(self, report):
        return report.title

    def item_description(self, report):
        services = len(report.figures["services"])
        return f"{report.total_operations:,} framework operations across {services} services."

    def item_pubdate(self, report):
        return report.published_at

    def item_updateddate(self, report):
        return report.generated_at
