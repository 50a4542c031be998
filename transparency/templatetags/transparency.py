"""The log's state at the top of the admin index, and a snapshot's place in the log."""

from __future__ import annotations

from django import template

from transparency.health import log_health as current_health
from transparency.models import LogEntry

register = template.Library()


@register.inclusion_tag("admin/transparency/health.html")
def log_health() -> dict:
    return {"log": current_health()}


@register.simple_tag
def snapshot_log_index(sha256: str) -> int | None:
    """The log index of the snapshot with this SHA-256 (None before it is logged)."""
    return LogEntry.objects.filter(snapshot__sha256=sha256).values_list("index", flat=True).first()
