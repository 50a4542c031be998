from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.index, name="index"),
    path("feed/", views.feed_log, name="feed"),
    path("events/<str:event_id>/", views.event, name="event"),
]
