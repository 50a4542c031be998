from django.urls import path

from . import views

app_name = "audit-api"

urlpatterns = [
    path("audit.json", views.events_json, name="events-json"),
    path("audit.csv", views.events_csv, name="events-csv"),
    path("audit/<str:event_id>.json", views.event_json, name="event-json"),
    path("log.json", views.log_json, name="log"),
]
