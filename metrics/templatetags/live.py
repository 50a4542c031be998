"""Template tags for figures that refresh in open pages (static/js/live.js)."""

from __future__ import annotations

from django import template
from django.conf import settings

from metrics.figures import figure_id

register = template.Library()

# {% figure_id "operations" "30d" service.feed_key %}: the same ids figures.json sends.
register.simple_tag(figure_id, name="figure_id")


@register.simple_tag
def refresh_seconds() -> int:
    """How often open pages fetch new figures (METRICS_REFRESH_SECONDS)."""
    return settings.METRICS_REFRESH_SECONDS
