from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import views
from .sitemaps import PageSitemap

app_name = "showcase"

urlpatterns = [
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": PageSitemap}}, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
    path("", views.page, {"slug": ""}, name="home"),
    path("<slug:slug>/", views.page, name="page"),
]
