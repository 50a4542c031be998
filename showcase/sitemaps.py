from django.contrib.sitemaps import Sitemap

from .models import Page


class PageSitemap(Sitemap):
    """Published editor pages, with the time each was last changed."""

    changefreq = "daily"

    def items(self):
        return Page.objects.visible().order_by("slug")

    def lastmod(self, page):
        return page.updated_at
