from django.urls import path

from . import api

app_name = "metrics"

urlpatterns = [
    path("contract/v1.schema.json", api.contract_schema, name="contract-schema"),
    path("contract/v1.md", api.contract_specification, name="contract-specification"),
    path("latest.json", api.latest, name="latest"),
    path("snapshots/<str:sha256>.json", api.snapshot_raw, name="snapshot-raw"),
    path("snapshots/<str:sha256>.sig", api.snapshot_signature, name="snapshot-signature"),
]
