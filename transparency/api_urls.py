from django.urls import path

from . import views

app_name = "log-api"

urlpatterns = [
    path("proof/inclusion", views.inclusion_proof, name="inclusion"),
    path("proof/consistency", views.consistency_proof, name="consistency"),
    path("lookup", views.lookup, name="lookup"),
]
