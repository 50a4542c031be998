from django.urls import path, re_path

from . import views

app_name = "log"

urlpatterns = [
    path("", views.log_page, name="index"),
    path("checkpoint", views.checkpoint, name="checkpoint"),
    path("key", views.key, name="key"),
    path("verify.py", views.verify_py, name="verify-py"),
    re_path(r"^tile/entries/(?P<rest>[0-9x/.p]+)\Z", views.entries, name="entries"),
    re_path(r"^tile/(?P<level>0|[1-9][0-9]?)/(?P<rest>[0-9x/.p]+)\Z", views.tile, name="tile"),
]
