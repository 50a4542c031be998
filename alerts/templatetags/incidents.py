"""The open incidents, at the top of the admin index."""

from __future__ import annotations

from django import template

from alerts.models import Incident

register = template.Library()


@register.inclusion_tag("admin/alerts/open_incidents.html")
def open_incidents() -> dict:
    return {"incidents": list(Incident.objects.open().order_by("opened_at"))}
