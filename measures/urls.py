from __future__ import annotations

from django.urls import path

from . import views

app_name = "measures"

urlpatterns = [
    path("api/beacon", views.beacon, name="beacon"),
    path("out/<slug:slug>/", views.out, name="out"),
]
