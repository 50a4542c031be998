from django.contrib import admin
from django.urls import include, path

from metrics import audit
from showcase.views import markdown_preview

from . import views

handler404 = "showcase.views.not_found"
handler500 = "tractatus_site.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # The admin's Markdown preview: behind its sign-in, CSRF check and no-store like its pages.
    path("admin/markdown-preview/", admin.site.admin_view(markdown_preview),
         name="markdown-preview"),
    path("admin/", admin.site.urls),
    path("audit/", audit.audit, name="audit"),
    path("api/metrics/log.json", audit.log_json, name="audit-log"),
    path("api/metrics/", include("metrics.urls")),
    path("api/metrics/", include("metrics.dashboard_urls")),
    path("reports/", include("reports.urls")),
    path("", include("measures.urls")),
    path("", include("showcase.urls")),
]
