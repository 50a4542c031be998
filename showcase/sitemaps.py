from django.contrib.sitemaps import Sitemap
from django.utils import timezone

from tractatus_site.addresses import SiteSitemap

from .models import Page


class PageSitemap(SiteSitemap, Sitemap):
    """Published editor pages on the air now, with the time each was last changed."""

    changefreq = "daily"

    def items(self):
        return Page.objects.visible().on_air(timezone.now()).order_by("slug")

    def lastmod(self, page):
        return page.updated_at
