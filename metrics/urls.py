from django.urls import path

from . import api

app_name = "metrics"

urlpatterns = [
    path(
        "contract/v1.schema.json",
        api.contract,
        {"path": api.SCHEMA_PATH, "content_type": "application/schema+json"},
        name="contract-schema",
    ),
    path(
        "contract/v1.md",
        api.contract,
        {"path": api.SPECIFICATION_PATH, "content_type": "text/markdown; charset=utf-8"},
        name="contract-specification",
    ),
    path("latest.json", api.latest, name="latest"),
    path("snapshots/<str:sha256>.json", api.snapshot_raw, name="snapshot-raw"),
    path("snapshots/<str:sha256>.sig", api.snapshot_signature, name="snapshot-signature"),
]
