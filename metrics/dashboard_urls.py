from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("figures.json", views.figures_json, name="figures"),
    path("daily.csv", views.daily_csv, name="daily-csv"),
    path("windows.csv", views.windows_csv, name="windows-csv"),
]
