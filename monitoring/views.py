"""/internal/metrics: Prometheus text for operators, behind a bearer token (404 without it)."""

from __future__ import annotations

import os
import secrets

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from .collectors import DatabaseCollector


def authorised(request: HttpRequest) -> bool:
    token = settings.METRICS_SCRAPE_TOKEN
    scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and secrets.compare_digest(
        offered.strip().encode(), token.encode()
    )


def registry() -> CollectorRegistry:
    """Every worker's counters (multiprocess mode) or this process's, and the database's."""
    combined = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(combined)
    else:
        combined.register(ThisProcess())
    combined.register(DatabaseCollector())
    return combined


class ThisProcess:
    """This process's own instruments, when it is the only one."""

    def collect(self):
        yield from REGISTRY.collect()


@never_cache
@require_safe
def prometheus_metrics(request: HttpRequest) -> HttpResponse:
    if not authorised(request):
        raise Http404  # nothing here to find for anyone without the token
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
