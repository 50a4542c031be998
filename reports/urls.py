from django.urls import path

from tractatus_site.methods import safe_only
from tractatus_site.pagecache import cache_public_page

from . import feeds, views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("feed.xml", safe_only(cache_public_page(feeds.ReportsFeed())), name="feed"),
    path("<int:year>/<int:month>/", views.detail, name="detail"),
]
