"""The site-content summary at the top of the admin index."""

from __future__ import annotations

from django import template

from showcase.links import broken_links

register = template.Library()


@register.inclusion_tag("admin/showcase/links_summary.html")
def links_summary() -> dict:
    return {"broken": broken_links()}
