from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("", views.index, name="index"),
    path("checks/<int:pk>/", views.check, name="check"),
    path("checks/<int:pk>/headers.txt", views.raw_headers, name="raw"),
]
