from django.urls import path

from . import views

app_name = "showcase"

urlpatterns = [
    path("", views.page, {"slug": ""}, name="home"),
    path("<slug:slug>/", views.page, name="page"),
]
