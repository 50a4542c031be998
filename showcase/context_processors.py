"""The site's chrome (settings and navigation) for every template, whichever app renders it."""

from __future__ import annotations

from tractatus_site import state

from .models import NavLink, SiteSettings


def read_chrome() -> dict:
    return {"site": SiteSettings.load(), "nav_links": list(NavLink.objects.visible())}


def site_chrome(request) -> dict:
    """Site settings and navigation: the same on every page, so cached until an edit."""
    return state.remembered("chrome", read_chrome)
