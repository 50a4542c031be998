"""The site's URL patterns as the tests walk them."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver


def public_routes(patterns=None, prefix: str = ""):
    """Every URL pattern outside the admin, as (route, its pattern)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith("admin/"):
            continue
        if isinstance(pattern, URLResolver):
            yield from public_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern
