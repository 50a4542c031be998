from django.contrib.sitemaps.views import sitemap
from django.urls import path

from reports.sitemaps import ReportSitemap
from tractatus_site.methods import safe_only
from tractatus_site.pagecache import cache_public_page

from . import media, views
from .sitemaps import PageSitemap

app_name = "showcase"

urlpatterns = [
    path(
        "sitemap.xml",
        safe_only(cache_public_page(sitemap)),
        {"sitemaps": {"pages": PageSitemap, "reports": ReportSitemap}},
        name="sitemap",
    ),
    path("robots.txt", views.robots, name="robots"),
    path("citations.bib", views.citations_bib, name="citations-bib"),
    path("citations/<slug:key>.bib", views.citation_bib, name="citation-bib"),
    path("media/<path:path>", media.serve, name="media"),
    path("", views.page, {"slug": ""}, name="home"),
    path("<slug:slug>/", views.page, name="page"),
]
