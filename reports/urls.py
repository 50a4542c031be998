from django.urls import path

from . import feeds, views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("feed.xml", feeds.ReportsFeed(), name="feed"),
    path("<int:year>/<int:month>/", views.detail, name="detail"),
]
