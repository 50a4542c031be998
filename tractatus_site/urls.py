from django.contrib import admin
from django.urls import include, path

from evidence.views import checks_json
from metrics import api
from monitoring.views import prometheus_metrics
from showcase.views import markdown_preview

from . import views

handler400 = "tractatus_site.views.bad_request"
handler404 = "showcase.views.not_found"
handler500 = "tractatus_site.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # The admin's Markdown preview: behind its sign-in, CSRF check and no-store like its pages.
    path("admin/markdown-preview/", admin.site.admin_view(markdown_preview),
         name="markdown-preview"),
    path("admin/", admin.site.urls),
    path("api/", api.reference, name="api"),
    path("api/openapi.json", api.openapi, name="openapi"),
    path("audit/", include("audit.urls")),
    path("api/metrics/", include("audit.api_urls")),
    path("api/metrics/", include("metrics.urls")),
    path("api/metrics/", include("metrics.dashboard_urls")),
    path("reports/", include("reports.urls")),
    path("log/", include("transparency.urls")),
    path("api/log/", include("transparency.api_urls")),
    path("evidence/", include("evidence.urls")),
    path("api/evidence.json", checks_json, name="evidence-api"),
    path("internal/metrics", prometheus_metrics, name="prometheus-metrics"),
    path("", include("staff.urls")),  # sign-in, second factor, recovery codes
    path("", include("measures.urls")),
    path("", include("showcase.urls")),
]
