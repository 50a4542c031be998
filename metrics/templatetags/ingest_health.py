"""The ingest-health summary at the top of the admin index."""

from __future__ import annotations

from django import template
from django.conf import settings

from metrics.health import ingest_health as current_health

register = template.Library()


@register.inclusion_tag("admin/metrics/health.html")
def ingest_health() -> dict:
    return {
        "health": current_health(),
        "stale_minutes": settings.METRICS_STALE_AFTER_MINUTES,
    }
