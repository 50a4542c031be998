"""The log's state at the top of the admin index."""

from __future__ import annotations

from django import template

from transparency.health import log_health as current_health

register = template.Library()


@register.inclusion_tag("admin/transparency/health.html")
def log_health() -> dict:
    return {"log": current_health()}
