from django.contrib.sitemaps import Sitemap

from tractatus_site.addresses import SiteSitemap

from .models import MonthlyReport


class ReportSitemap(SiteSitemap, Sitemap):
    changefreq = "monthly"

    def items(self):
        return MonthlyReport.objects.filter(published=True)

    def lastmod(self, report):
        return report.generated_at
