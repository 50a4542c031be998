from django.contrib.sitemaps import Sitemap

from .models import MonthlyReport


class ReportSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return MonthlyReport.objects.filter(published=True)

    def lastmod(self, report):
        return report.generated_at
