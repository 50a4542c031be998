"""The site's chrome (settings and navigation) for every template, whichever app renders it."""

from __future__ import annotations

from django.utils import timezone

from tractatus_site import state

from .links import read_menu, visible_menu
from .models import SiteSettings


def read_chrome() -> dict:
    return {"site": SiteSettings.load(), "menu": read_menu()}


def chrome() -> dict:
    """Settings and every menu item with its page: the same on every page, so cached until an
    edit; which items show is decided when read, as the pages themselves are."""
    return state.remembered("chrome", read_chrome)


def site_chrome(request) -> dict:
    found = chrome()
    request.menu = found["menu"]  # for the view: its page is kept only while the menu holds
    return {"site": found["site"], "nav_links": visible_menu(found["menu"], timezone.now())}
