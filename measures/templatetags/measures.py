"""{% out_url "mysovereignty" %}: the counted address of an outbound link, for templates."""

from __future__ import annotations

from django import template

from measures.models import outbound_url

register = template.Library()


@register.simple_tag
def out_url(slug: str) -> str:
    """/out/<slug>/ for the outbound link `slug`."""
    return outbound_url(slug)
